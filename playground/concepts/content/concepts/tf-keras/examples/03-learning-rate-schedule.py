# Learning-rate schedules are functions of the training step: plot three of them.
import keras
import matplotlib.pyplot as plt

schedules = {
    "exponential decay": keras.optimizers.schedules.ExponentialDecay(
        0.1, decay_steps=100, decay_rate=0.8),
    "piecewise constant": keras.optimizers.schedules.PiecewiseConstantDecay(
        [300, 600], [0.1, 0.03, 0.01]),
    "cosine with warm-up": keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=900, warmup_target=0.1, warmup_steps=100),
}
steps = list(range(0, 1001, 20))
for name, schedule in schedules.items():
    plt.plot(steps, [float(schedule(step)) for step in steps], label=name)
plt.xlabel("training step")
plt.ylabel("learning rate")
plt.legend()
plt.title("Three learning-rate schedules")
plt.show()

# An optimizer takes a schedule where it would take a number.
optimizer = keras.optimizers.SGD(learning_rate=schedules["cosine with warm-up"])
print(f"cosine at step 100: {float(schedules['cosine with warm-up'](100)):.3f}")
print(f"the optimizer at its step {int(optimizer.iterations)}: {float(optimizer.learning_rate):.3f}")
