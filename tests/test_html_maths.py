"""The reports' plain maths notation read into MathML: symbols, remarks, the optimizers' rules, every explain step."""

import re

import pytest

from compare.html.maths import mathml, split_remarks, to_latex


def test_a_layer_and_unit_symbol_becomes_one_subscript_superscript_pair():
    # the lectures' z^[l]_j: unit j below, [l] above, on the same z
    expected = (
        '<msubsup><mrow><mi>z</mi></mrow><mrow><mn>2</mn></mrow><mrow><mo stretchy="false">[</mo><mn>1</mn>'
        '<mo stretchy="false">]</mo></mrow></msubsup>'
    )
    assert expected in mathml("z^[1]_2")


def test_the_adam_rule_has_its_square_root_hats_and_assignment_arrows():
    from core.optimizers import OPTIMIZERS

    markup = mathml(OPTIMIZERS["adam"].rule)
    assert markup.count("&#x02190;") == 3  # m <-, v <-, theta <-
    assert "<msqrt>" in markup and markup.count('<mover accent="true">') == 2  # sqrt(v_hat); m_hat and v_hat
    assert "&#x003B8;" in markup and "&#x003B7;" in markup and "&#x003F5;" in markup  # theta, eta, epsilon


def test_greek_names_and_the_update_mark_are_symbols():
    assert to_latex("w5+") == "{w_{5}}^{+}"
    assert to_latex("eta * delta_o1") == r"\eta \cdot {\delta}_{o1}"
    assert to_latex("zhat^[1]_2") == r"{\hat{z}}_{2}^{[1]}"


def test_a_parenthesised_remark_is_text_and_is_split_off():
    formula = "a^[2]_1 - y_1 (Session-5 backprop: probs - onehot) (sample 1 of 300)"
    assert split_remarks(formula) == ("a^[2]_1 - y_1", ["(Session-5 backprop: probs - onehot)", "(sample 1 of 300)"])
    assert r"\text{ (sample 1 of 300) }" in to_latex(formula)
    # brackets that hold a layer's symbol are maths, not a remark, even with a word inside
    assert split_remarks("x * (dbn^[1]_1 - mean dbn^[1]_1)") == ("x * (dbn^[1]_1 - mean dbn^[1]_1)", [])
    assert split_remarks("da^[1]_1 mask^[1]_1 / (1 - p): a dropped unit passes nothing back") == (
        "da^[1]_1 mask^[1]_1 / (1 - p)",
        ["a dropped unit passes nothing back"],
    )


def test_powers_take_a_whole_symbol_or_group():
    assert to_latex("1/(1+e^-z^[1]_2)") == "1 / ( 1 + e ^{- {z}_{2}^{[1]}})"
    assert to_latex("e^(z^[2]_1)") == "e ^{{z}_{1}^{[2]}}"


def test_an_unclosed_group_is_a_clear_error():
    with pytest.raises(ValueError, match="expected a closing parenthesis"):
        to_latex("sqrt(r + eps")


LEFT_OVER = re.compile(r"&#x0005F;|&#x0005E;|<mrow />|\^\[")  # an underscore or caret not read, an empty power


@pytest.mark.full  # every built-in case: the full suite only
def test_every_explain_step_of_every_built_in_case_reads_as_mathml_with_nothing_left_over():
    from compare.data.cases import CASES, get_case
    from compare.students.steps import explain_case

    count = 0
    for name in CASES:
        case = get_case(name)
        for mode in ("train", "inference") if case.spec.mode_dependent else ("train",):
            _, steps = explain_case(case, ["scratch"], 0, 0, mode)
            for step in steps:
                for text in (step.symbol, split_remarks(step.formula)[0]):
                    markup = mathml(text)
                    read = markup.replace("<mo>&#x0005E;</mo></mover>", "")  # a hat is a caret above
                    assert not LEFT_OVER.search(read), (text, markup)
                    count += 1
    assert count > 500
