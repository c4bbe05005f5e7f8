"""The same MLP in Keras 3: ``keras.layers.Dense``, native activations, losses and optimizers, on any backend.

Modules, parallel to ``scratch`` and ``torch_impl``: ``activations``, ``losses``,
``model``, ``optimizers``, ``regularization``, ``train``, ``init``, ``threads``,
``convert`` (the one place that translates between canonical parameters and ``Dense``),
and the only backend-specific code: ``gradients`` (one function per backend for
gradients and one compiled training step) and ``backend`` (this process's environment
fixes). It never imports scratch.

Importing this package sets, only where the user has not set them already,
``KERAS_BACKEND=tensorflow``, ``TF_ENABLE_ONEDNN_OPTS=0``, ``TF_CPP_MIN_LOG_LEVEL=3`` and
``JAX_ENABLE_X64=1`` (keras_impl.backend), then imports Keras without the optional packages it
would load for integrations this project never uses (scikit-learn; JAX off the JAX backend:
``keras_impl.backend.import_keras``), keeps float64 float64 and,
on TensorFlow, makes compiled steps compute what eager ones do.
"""

from keras_impl import backend

backend.set_environment()
backend.import_keras()
backend.fix_dtypes()
backend.fix_graphs()
