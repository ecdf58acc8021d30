import numpy as np
import tensorflow as tf

features = np.arange(20, dtype="float32").reshape(10, 2)   # 10 examples, 2 features each
labels = np.array([0, 1] * 5)

ds = tf.data.Dataset.from_tensor_slices((features, labels))
print("element_spec:", ds.element_spec)
print("number of elements:", ds.cardinality().numpy())
for x, y in ds.take(3):
    print("x =", x.numpy(), " y =", y.numpy())
