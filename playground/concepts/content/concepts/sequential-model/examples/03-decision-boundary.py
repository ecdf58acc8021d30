# A small Sequential classifier on two interleaved half-moons, and the boundary it learned.
import keras
import matplotlib.pyplot as plt
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
n = 150
t = rng.uniform(0, np.pi, n)
upper = np.c_[np.cos(t), np.sin(t)]
lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
x = (np.r_[upper, lower] + rng.normal(0, 0.1, (2 * n, 2))).astype("float32")
y = np.r_[np.zeros(n), np.ones(n)].astype("float32")

model = keras.Sequential([
    keras.Input((2,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(x, y, epochs=40, batch_size=32, verbose=0)

# Ask the model about every point of a grid, and colour the plane by its answer.
xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 120), np.linspace(-1.0, 1.5, 120))
grid = np.c_[xx.ravel(), yy.ravel()].astype("float32")
p = model.predict(grid, batch_size=4096, verbose=0).reshape(xx.shape)
plt.contourf(xx, yy, p, levels=20, cmap="RdBu", alpha=0.7)
plt.contour(xx, yy, p, levels=[0.5], colors="black")
plt.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu", edgecolors="white", s=12)
plt.title("The black line is where the model says p = 0.5")
plt.show()
print("accuracy above 0.9:", model.evaluate(x, y, verbose=0)[1] > 0.9)
