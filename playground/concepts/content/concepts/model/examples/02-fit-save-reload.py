import keras
import numpy as np

keras.utils.set_random_seed(7)
x = np.random.normal(size=(512, 4)).astype("float32")
y = (x @ np.array([[2.0], [-1.0], [0.5], [0.0]], dtype="float32")) + 0.3

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)], name="linear")
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
model.summary()
history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
print(f"final training loss below 0.01: {history.history['loss'][-1] < 0.01}")

model.save("linear.keras")
reloaded = keras.models.load_model("linear.keras")
probe = np.array([[1.0, 1.0, 1.0, 1.0]], dtype="float32")
print("prediction for [1,1,1,1]:", round(float(reloaded.predict(probe, verbose=0)[0, 0]), 2))
print("same after reload:", np.allclose(model.predict(probe, verbose=0),
                                        reloaded.predict(probe, verbose=0)))
