import tensorflow as tf

def count_positive(values):
    count = 0
    for v in values:
        if v > 0:
            count += 1
    return count

print(tf.autograph.to_code(count_positive))
print("positives:", tf.function(count_positive)(tf.constant([3.0, -1.0, 2.0, -5.0, 4.0])).numpy())
