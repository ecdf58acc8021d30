import keras
import numpy as np

keras.mixed_precision.set_global_policy("mixed_float16")

model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(16, activation="relu"),
    # Keep the final layer in float32 so softmax and the loss stay numerically stable.
    keras.layers.Dense(3, activation="softmax", dtype="float32"),
])
hidden, head = model.layers
print("policy:", keras.mixed_precision.global_policy().name)
print("hidden: compute", hidden.compute_dtype, "| variables", hidden.variable_dtype)
print("head:   compute", head.compute_dtype, "| variables", head.variable_dtype)
print("hidden output dtype:", hidden.output.dtype)
print("model output dtype:", model(np.ones((2, 8))).dtype.name)

# Keras wraps the optimizer with loss scaling to keep small float16 gradients from vanishing.
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
print("optimizer:", type(model.optimizer).__name__)

keras.mixed_precision.set_global_policy("float32")   # back to the default
