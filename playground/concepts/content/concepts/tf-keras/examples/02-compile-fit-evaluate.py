# The Keras workflow in four calls: build, compile, fit, evaluate.
import numpy as np
import keras

keras.utils.set_random_seed(42)

# Toy data: is a 2-D point inside the unit circle?
points = np.random.uniform(-1.5, 1.5, size=(2000, 2)).astype("float32")
inside = (np.sum(points ** 2, axis=1) < 1.0).astype("int32")

model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(0.01),
              loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(points[:1600], inside[:1600], epochs=10, batch_size=64,
                    validation_split=0.2, verbose=0)
loss, accuracy = model.evaluate(points[1600:], inside[1600:], verbose=0)

print("epochs run:", len(history.history["loss"]))
print("history keys:", sorted(history.history))
print(f"test accuracy: {accuracy:.2f}")
print("accuracy above 0.9:", accuracy > 0.9)
