import keras

model = keras.Sequential([
    keras.Input(shape=(28, 28)),            # one example: a 28x28 grey image
    keras.layers.Flatten(),                 # -> 784 numbers
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation="softmax"),
], name="mlp")

model.summary()
for layer in model.layers:
    print(f"{layer.name:10s} -> {layer.output.shape}  params={layer.count_params()}")
