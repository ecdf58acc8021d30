import keras
import tensorflow as tf

print("Keras version:", keras.__version__)
print("backend:", keras.backend.backend())
print("tf.keras is keras 3:", tf.keras.Sequential is keras.Sequential)

# keras.ops works directly on TensorFlow tensors.
x = tf.constant([[1.0, -2.0, 3.0]])
print("relu:", keras.ops.relu(x).numpy())
print("softmax sums to:", float(keras.ops.sum(keras.ops.softmax(x))))
