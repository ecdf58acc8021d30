import tensorflow as tf

prices = tf.constant([3, 5, 2])              # int32
discounts = tf.constant([0.9, 0.9, 0.5])     # float32

total = tf.reduce_sum(prices * discounts)
print(f"total: {total.numpy():.2f}")
