"""The same MLP in PyTorch: ``nn.Linear``, native activations and losses, ``loss.backward()``.

Importing this package imports torch only (never TensorFlow).
"""
