import keras
import numpy as np

keras.utils.set_random_seed(0)
centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
labels = np.repeat([0, 1, 2], 300)                               # integer labels 0, 1, 2
xy = centres[labels] + np.random.normal(size=(900, 2))
points = np.hstack([xy, xy ** 2]).astype("float32")             # 4 features: x, y, x², y²

model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(0.02),
              loss="categorical_crossentropy",          # TODO: labels are integers
              metrics=["accuracy"])
history = model.fit(points, labels, epochs=10, batch_size=32, verbose=2)
print("accuracy above 0.9:", history.history["accuracy"][-1] > 0.9)
