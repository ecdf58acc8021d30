import keras
import numpy as np

dense = keras.layers.Dense(3, activation="relu")
print("weights before first call:", dense.weights)        # nothing yet: built lazily

x = np.ones((2, 4), dtype="float32")                       # batch of 2, 4 features
y = dense(x)                                               # build() runs now, with n = 4
print("output shape:", tuple(y.shape))
print("kernel shape:", tuple(dense.kernel.shape), " bias shape:", tuple(dense.bias.shape))
print("parameters:", dense.count_params(), "= 4*3 + 3")

# The layer is just y = relu(x @ W + b):
by_hand = np.maximum(x @ dense.kernel.numpy() + dense.bias.numpy(), 0)
print("matches the formula:", np.allclose(by_hand, y.numpy()))
