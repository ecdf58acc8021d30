"""The sandbox: zygote, jail and the runner inside the child (standard library + TF only)."""
