import keras
import numpy as np

class TwoTower(keras.Model):
    """Scores a pair of vectors: each goes through its own tower, then a dot product."""

    def __init__(self):
        super().__init__()
        self.left = keras.layers.Dense(8, activation="tanh")
        self.right = keras.layers.Dense(8, activation="tanh")

    def call(self, inputs):
        a, b = inputs
        return keras.ops.sum(self.left(a) * self.right(b), axis=-1, keepdims=True)

model = TwoTower()
a = np.ones((4, 5), dtype="float32")
b = np.ones((4, 3), dtype="float32")
print("output shape:", tuple(model((a, b)).shape))
print("layers:", [layer.name for layer in model.layers])
print("total parameters:", model.count_params(), "= (5*8 + 8) + (3*8 + 8)")
