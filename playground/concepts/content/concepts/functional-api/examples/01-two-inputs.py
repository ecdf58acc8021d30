import keras
import numpy as np

# Predict a house price from 3 numeric features and a 20-word description.
numbers = keras.Input(shape=(3,), name="numbers")
words = keras.Input(shape=(20,), dtype="int32", name="words")

n = keras.layers.Dense(8, activation="relu", name="numbers_dense")(numbers)
w = keras.layers.Embedding(input_dim=1000, output_dim=4, name="embed")(words)
w = keras.layers.GlobalAveragePooling1D(name="average_words")(w)
joined = keras.layers.Concatenate(name="join")([n, w])
price = keras.layers.Dense(1, name="price")(joined)

model = keras.Model(inputs=[numbers, words], outputs=price, name="house_price")
model.summary()

batch = {"numbers": np.ones((2, 3), "float32"), "words": np.zeros((2, 20), "int32")}
print("prediction shape:", tuple(model.predict(batch, verbose=0).shape))
print("join sees:", [tuple(t.shape) for t in model.get_layer("join").input])
