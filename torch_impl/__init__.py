"""The same MLP in PyTorch: ``nn.Linear``, native activations and losses, ``loss.backward()``, ``torch.optim``.

Modules, parallel to ``scratch`` and ``keras_impl``: ``activations``, ``losses``,
``model``, ``optimizers``, ``regularization``, ``train``, ``init``, and ``convert``
(the one place that translates between canonical parameters and ``nn.Linear``).
Importing this package imports torch only (never TensorFlow) and never imports scratch.
"""
