import keras
import numpy as np

def residual_block(x, units, name):
    f = keras.layers.Dense(units, activation="relu", name=f"{name}_a")(x)
    f = keras.layers.Dense(units, name=f"{name}_b")(f)
    return keras.layers.Add(name=f"{name}_add")([x, f])       # y = x + F(x)

inputs = keras.Input(shape=(16,))
x = residual_block(inputs, 16, "block1")
x = residual_block(x, 16, "block2")
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs, name="resnet_mlp")

print("layers:", [layer.name for layer in model.layers])
print("block2 adds:", [t.name for t in model.get_layer("block2_add").input])

# Slice the model: a second model that returns block1's output shares the same weights.
features = keras.Model(inputs, model.get_layer("block1_add").output)
x_in = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")
print("feature shape:", tuple(features.predict(x_in, verbose=0).shape))
print("weights shared:", features.get_layer("block1_a") is model.get_layer("block1_a"))
