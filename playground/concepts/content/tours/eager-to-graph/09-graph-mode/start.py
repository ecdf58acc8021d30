import tensorflow as tf

print("executing eagerly:", tf.executing_eagerly())
temperatures = tf.compat.v1.placeholder(tf.float32, shape=[None])
mean = tf.reduce_mean(temperatures)
warm = mean > 24
print("mean is symbolic:", mean)

with tf.compat.v1.Session() as session:
    for week in ([18.5, 22.0, 31.5, 27.0], [12.0, 15.5, 14.0]):
        m, w = session.run([mean, warm], feed_dict={temperatures: week})
        print(f"mean {m:.2f} -> {'a warm week' if w else 'a mild week'}")
