import tensorflow as tf

def clip_negative(x):
    if x < 0:
        x = tf.zeros_like(x)
    return x

# What Autograph makes of this function (the code tf.function actually traces):
print(tf.autograph.to_code(clip_negative))

graph_version = tf.function(clip_negative)
print("f(-3) =", graph_version(tf.constant(-3.0)).numpy())
print("f(2)  =", graph_version(tf.constant(2.0)).numpy())
