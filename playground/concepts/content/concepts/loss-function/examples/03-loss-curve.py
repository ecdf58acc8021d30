# The loss after every epoch, for the training data and the held-out validation data.
import keras
import matplotlib.pyplot as plt
import numpy as np

keras.utils.set_random_seed(0)
x = np.random.uniform(-1, 1, size=(256, 1)).astype("float32")
y = 3 * x + 0.5 + np.random.normal(0, 0.1, size=x.shape).astype("float32")

model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
history = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.25, verbose=0)

plt.plot(history.history["loss"], label="training loss")
plt.plot(history.history["val_loss"], label="validation loss")
plt.xlabel("epoch")
plt.ylabel("mean squared error")
plt.yscale("log")
plt.legend()
plt.title("The loss falls as the model fits the line")
plt.show()
print("final loss below 0.05:", history.history["loss"][-1] < 0.05)
