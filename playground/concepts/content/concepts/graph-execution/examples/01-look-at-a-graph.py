import tensorflow as tf

@tf.function
def affine(x, w, b):
    return tf.nn.relu(tf.matmul(x, w) + b)

x = tf.ones([2, 3])
w = tf.ones([3, 4])
b = tf.zeros([4])

# Tracing builds the graph once for these input shapes and dtypes.
concrete = affine.get_concrete_function(x, w, b)
graph = concrete.graph
print("ops in the graph:")
for op in graph.get_operations():
    print(f"  {op.type:12s} {op.name}")

print("inputs :", [t.shape.as_list() for t in concrete.inputs])
print("outputs:", [t.shape.as_list() for t in concrete.outputs])
print("result :", concrete(x, w, b).numpy()[0])
