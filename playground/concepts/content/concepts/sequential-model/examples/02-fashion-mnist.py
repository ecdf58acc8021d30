# A Sequential classifier on a slice of Fashion-MNIST (from the worker's dataset cache).
import keras
import numpy as np

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train, y_train = x_train[:4000] / 255.0, y_train[:4000]
x_test, y_test = x_test[:1000] / 255.0, y_test[:1000]

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=2, batch_size=64, validation_split=0.1, verbose=2)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
names = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
guess = np.argmax(model.predict(x_test[:5], verbose=0), axis=1)
print("predicted:", [names[i] for i in guess])
print("actual:   ", [names[i] for i in y_test[:5]])
print(f"test accuracy: {accuracy:.2f} (above 0.7: {accuracy > 0.7})")
