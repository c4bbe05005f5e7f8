"""The same MLP in Keras 3: ``keras.layers.Dense``, native activations, losses and optimizers.

Modules, parallel to ``scratch`` and ``torch_impl``: ``activations``, ``losses``,
``model``, ``optimizers``, ``regularization``, ``train``, ``init``, ``convert`` (the
one place that translates between canonical parameters and ``Dense``) and
``gradients`` (the only backend-specific code: ``tf.GradientTape``).
It never imports scratch.

Importing this package sets, only where the user has not set them already:
``KERAS_BACKEND=tensorflow``; ``TF_ENABLE_ONEDNN_OPTS=0`` (oneDNN's fused CPU
kernels change float32 results run to run); ``TF_CPP_MIN_LOG_LEVEL=3`` (no
start-up log noise). They must be set before TensorFlow is imported.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
