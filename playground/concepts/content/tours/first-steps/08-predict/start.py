import keras
import numpy as np

keras.utils.set_random_seed(0)
names = ["north", "east", "west"]
centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
labels = np.repeat([0, 1, 2], 300)
points = (centres[labels] + np.random.normal(size=(900, 2))).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(0.02),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(points, labels, epochs=10, batch_size=32, verbose=0)

new_points = np.array([[0.1, 2.5], [2.0, -1.0], [-4.0, -3.0], [0.0, -1.0]], dtype="float32")
probabilities = model.predict(new_points, verbose=0)
for point, p in zip(new_points, probabilities):
    guess = int(np.argmax(p))
    spread = "  ".join(f"{name}={q:.2f}" for name, q in zip(names, p))
    print(f"{point} -> {names[guess]:<5} ({spread})")
