"""Real inputs for the built-in cases. Nothing is downloaded.

- spiral: Session-5 backprop's 300 x 2, 3-class data, generated as in that lecture
  (CS231n's spiral: 100 points per class, radius 0..1, angle 4j..4(j+1) + N(0, 0.2)).
  It is shipped in ``compare/data/spiral.npz`` and checked against a SHA-256 of
  its array bytes, so it is bit-identical on every machine (np.sin / np.cos may
  differ in the last bit between CPUs; the file does not). ``generate_spiral``
  is the code that made it.
- iris: scikit-learn's bundled copy; petal length and width (cm) -> species.
- breast cancer: scikit-learn's bundled copy; mean radius and mean texture,
  standardised to zero mean and unit variance -> benign (1) / malignant (0).
- fish: Session-5 backprop's six-row table, width and height (cm) -> salmon (0), tuna (1),
  hammerhead shark (2), standardised as above.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np

from core.errors import InputError

# What each dataset's columns and labels are, for axis labels and legends (in column and label order).
FEATURES: dict[str, tuple[str, ...]] = {
    "spiral": ("x1", "x2"),
    "iris": ("petal length (cm)", "petal width (cm)"),
    "breast_cancer": ("mean radius (standardised)", "mean texture (standardised)"),
    "fish": ("width (standardised)", "height (standardised)"),
}
CLASSES: dict[str, tuple[str, ...]] = {
    "spiral": ("arm 0", "arm 1", "arm 2"),
    "iris": ("setosa", "versicolor", "virginica"),
    "breast_cancer": ("malignant", "benign"),
    "fish": ("salmon", "tuna", "hammerhead shark"),
}

DATA_DIR = Path(__file__).parent
SPIRAL_FILE = DATA_DIR / "spiral.npz"
SPIRAL_SEED = 0
SPIRAL_SHA256 = "ce8a61beb7f7887acc7f597fdaa9c7e39c2f99f5fb7a7949f83af3c84e0d91ca"


def generate_spiral(points_per_class: int = 100, classes: int = 3, seed: int = SPIRAL_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Session-5 backprop's spiral: X ``(points_per_class * classes, 2)`` float64, y int64 labels.

    Uses the legacy ``RandomState`` stream, which NumPy keeps stable across versions.
    """
    rng = np.random.RandomState(seed)
    n = points_per_class
    X = np.zeros((n * classes, 2))
    y = np.zeros(n * classes, dtype=np.int64)
    for j in range(classes):
        rows = slice(n * j, n * (j + 1))
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, n) + rng.randn(n) * 0.2
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


def array_digest(X: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of the little-endian float64 bytes of X then int64 bytes of y."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(X, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(y, dtype="<i8").tobytes())
    return h.hexdigest()


def spiral() -> tuple[np.ndarray, np.ndarray]:
    """The shipped spiral data, verified against its checksum.

    Raises:
        InputError: if the file is missing or its contents changed.
    """
    with np.load(SPIRAL_FILE, allow_pickle=False) as f:
        X, y = f["X"], f["y"]
    if array_digest(X, y) != SPIRAL_SHA256:
        raise InputError(f"{SPIRAL_FILE}: checksum mismatch; the shipped spiral data was modified")
    return X, y


def _standardise(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def sklearn_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(data, target)`` of a table scikit-learn ships, ``sklearn/datasets/data/<name>``, read without importing sklearn.

    ``load_iris`` and ``load_breast_cancer`` read these files (sklearn/datasets/_base.py, ``load_csv_data``:
    a header line ``n_samples,n_features,class names...``, then one row per sample, the features
    and the integer class last); importing ``sklearn.datasets`` to call them costs ~1.5 s, the
    longest step of a run before any framework is imported. tests/test_datasets.py checks the
    result against ``load_iris()`` and ``load_breast_cancer()``, bitwise.

    Raises:
        InputError: scikit-learn is not installed, or the file is not what its header says.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("scikit-learn: expected it installed (it ships the iris and breast-cancer tables)")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name
    with path.open(encoding="utf-8") as f:
        header = f.readline().split(",")
        table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    n_samples, n_features = int(header[0]), int(header[1])
    if table.shape != (n_samples, n_features + 1):
        raise InputError(f"{path}: expected {n_samples} rows of {n_features + 1} numbers, got {table.shape}")
    return table[:, :n_features], table[:, n_features].astype(np.int64)


def iris() -> tuple[np.ndarray, np.ndarray]:
    """150 x 2 petal length and width (cm), labels 0 setosa, 1 versicolor, 2 virginica (scikit-learn's iris table)."""
    data, target = sklearn_table("iris.csv")
    return np.ascontiguousarray(data[:, 2:4]), target


BREAST_CANCER_COLUMNS = (0, 1)  # "mean radius", "mean texture": the first two of load_breast_cancer().feature_names


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """569 x 2 standardised mean radius and mean texture, labels 1 benign, 0 malignant (scikit-learn's table)."""
    data, target = sklearn_table("breast_cancer.csv")
    return _standardise(data[:, list(BREAST_CANCER_COLUMNS)]), target


FISH_TABLE = np.array(
    [  # width cm, height cm, class (Session-5 backprop)
        (5, 20, 0),  # salmon
        (6, 21, 0),  # salmon
        (30, 200, 2),  # hammerhead shark
        (40, 300, 2),  # hammerhead shark
        (10, 50, 1),  # tuna
        (15, 60, 1),  # tuna
    ]
)
FISH_CLASSES = ("salmon", "tuna", "hammerhead shark")


def fish() -> tuple[np.ndarray, np.ndarray]:
    """6 x 2 standardised width and height, labels 0 salmon, 1 tuna, 2 hammerhead shark."""
    return _standardise(FISH_TABLE[:, :2].astype(np.float64)), FISH_TABLE[:, 2].astype(np.int64)
