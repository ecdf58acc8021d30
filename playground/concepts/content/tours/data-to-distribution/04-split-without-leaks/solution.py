import tensorflow as tf

ds = tf.data.Dataset.range(100).shuffle(100, seed=42, reshuffle_each_iteration=False)

train = ds.take(80)
val = ds.skip(80)

train_ids = {int(i) for i in train}
val_ids = {int(i) for i in val}
print(f"train {len(train_ids)} / val {len(val_ids)}")
print("overlap:", len(train_ids & val_ids))
