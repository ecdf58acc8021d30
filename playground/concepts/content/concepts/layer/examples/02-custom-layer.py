import keras
import numpy as np
from keras import ops

class ScaledResidual(keras.layers.Layer):
    """y = x + alpha * (x W): a residual connection with a learnable scale."""

    def build(self, input_shape):
        n = input_shape[-1]
        self.w = self.add_weight(shape=(n, n), initializer="glorot_uniform", name="w")
        self.alpha = self.add_weight(shape=(), initializer="zeros", name="alpha")

    def call(self, x):
        return x + self.alpha * ops.matmul(x, self.w)

layer = ScaledResidual()
x = np.arange(6, dtype="float32").reshape(2, 3)
print("alpha starts at 0, so y == x:", np.allclose(layer(x), x))
print("trainable weights:", [w.name for w in layer.trainable_weights])
print("parameters:", layer.count_params())

# It trains like any built-in layer.
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(3,)), ScaledResidual(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
data = np.random.normal(size=(256, 3)).astype("float32")
target = data.sum(axis=1, keepdims=True)
model.fit(data, target, epochs=5, verbose=0)
print("alpha moved away from 0:", float(model.layers[0].alpha.numpy()) != 0.0)
