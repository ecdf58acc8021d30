import keras

model = keras.Sequential([
    keras.Input(shape=(4,)),
    # TODO: a hidden Dense layer with 8 units and relu activation
    keras.layers.Dense(3, activation="softmax"),
])
model.summary()
