# Run this one in graph mode: TensorFlow 1 style, build first, run later.
import tensorflow as tf

print("executing eagerly:", tf.executing_eagerly())

x = tf.compat.v1.placeholder(tf.float32, shape=[None], name="x")
y = tf.square(x) + 1.0
print("y is a symbolic tensor:", y)       # no value yet, just a node in the graph

with tf.compat.v1.Session() as session:
    print("run 1:", session.run(y, feed_dict={x: [1.0, 2.0]}))
    print("run 2:", session.run(y, feed_dict={x: [10.0]}))

print("nodes:", [op.type for op in tf.compat.v1.get_default_graph().get_operations()])
