"""The built-in data: shapes, labels, and the spiral's bit-for-bit reproducibility."""

import numpy as np
import pytest

from compare.data import datasets


def test_shipped_spiral_matches_its_checksum_and_the_lecture_shape():
    X, y = datasets.spiral()
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert datasets.array_digest(X, y) == datasets.SPIRAL_SHA256


def test_generator_reproduces_the_shipped_spiral():
    """The file is what the code makes (to the last bit here; within 4 ulp on any libm)."""
    X, y = datasets.spiral()
    X_new, y_new = datasets.generate_spiral()
    np.testing.assert_array_equal(y_new, y)
    np.testing.assert_array_max_ulp(X_new, X, maxulp=4)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[:100], np.linspace(0, 1, 100), atol=1e-15)  # r = linspace(0, 1, N)


def test_a_modified_spiral_file_is_refused(tmp_path, monkeypatch):
    X, y = datasets.spiral()
    X = X.copy()
    X[0, 0] += 1e-12
    path = tmp_path / "spiral.npz"
    np.savez(path, X=X, y=y)
    monkeypatch.setattr(datasets, "SPIRAL_FILE", path)
    with pytest.raises(ValueError, match="checksum"):
        datasets.spiral()


@pytest.mark.parametrize(
    "loader,m,classes",
    [(datasets.iris, 150, 3), (datasets.breast_cancer, 569, 2), (datasets.fish, 6, 3)],
    ids=["iris", "breast-cancer", "fish"],
)
def test_real_datasets_have_two_features(loader, m, classes):
    X, y = loader()
    assert X.shape == (m, 2)
    assert sorted(set(y.tolist())) == list(range(classes))


def test_fish_table_is_seed_003s():
    assert datasets.FISH_TABLE[:, :2].tolist() == [[5, 20], [6, 21], [30, 200], [40, 300], [10, 50], [15, 60]]
    assert [datasets.FISH_CLASSES[c] for c in datasets.FISH_TABLE[:, 2]] == [
        "salmon",
        "salmon",
        "hammerhead shark",
        "hammerhead shark",
        "tuna",
        "tuna",
    ]


def test_standardised_features_have_zero_mean_unit_variance():
    X, _ = datasets.breast_cancer()
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)


def test_the_shipped_tables_read_directly_equal_scikit_learns_loaders():
    """compare.data.datasets reads sklearn's CSV files without importing sklearn: the same numbers, bitwise."""
    from sklearn.datasets import load_breast_cancer, load_iris

    from compare.data.datasets import BREAST_CANCER_COLUMNS, sklearn_table

    for name, loader in (("iris.csv", load_iris), ("breast_cancer.csv", load_breast_cancer)):
        data, target = sklearn_table(name)
        theirs = loader()
        np.testing.assert_array_equal(data, theirs.data)
        np.testing.assert_array_equal(target, theirs.target)
    names = list(load_breast_cancer().feature_names)
    assert [names[i] for i in BREAST_CANCER_COLUMNS] == ["mean radius", "mean texture"]
