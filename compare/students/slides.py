"""The printed numbers of the Amrita FFNN intro's worked slides, and why some differ, for ``explain``.

A value is the text as printed (Mazur's worked example and the lecture's binary
and multi-class examples); the comparison allows half a unit of its last digit
(compare.students.steps.within_rounding). Where a slide differs by more than that,
the note says why; docs/lecture-examples.md has each verdict.
"""

from __future__ import annotations

SLIDE_NUMBERS: dict[str, dict[str, str]] = {
    "worked-2-2-2": {
        "net_h1": "0.3775",
        "out_h1": "0.593269992",
        "out_h2": "0.596884378",
        "net_o1": "1.105905967",
        "out_o1": "0.75136507",
        "out_o2": "0.772928465",
        "E_o1": "0.274811083",
        "E_o2": "0.023560026",
        "E_total": "0.298371109",
        "dE_total/dout_o1": "0.74136507",
        "dout_o1/dnet_o1": "0.186815602",
        "dnet_o1/dw5": "0.593269992",
        "dE_total/dw5": "0.082167041",
        "w5+": "0.35891648",
        "w6+": "0.408666186",
        "w7+": "0.511301270",
        "w8+": "0.561370121",
        "dE_total/dw1": "0.000438568",
        "w1+": "0.149780716",
        "w2+": "0.19956143",
        "w3+": "0.24975114",
        "w4+": "0.29950229",
    },
    "lecture-4-4-1-bce": {
        "z^[1]_1": "0.01",
        "z^[1]_2": "0.71",
        "z^[1]_3": "0.42",
        "z^[1]_4": "0.63",
        "a^[1]_1": "0.50",
        "a^[1]_2": "0.67",
        "a^[1]_3": "0.60",
        "a^[1]_4": "0.65",
        "z^[2]_1": "0.921",
        "a^[2]_1": "0.7152",
        "L": "1.2560",
    },
    "lecture-4-4-3-softmax": {
        "z^[1]_1": "0.62",
        "z^[1]_2": "0.09",
        "z^[1]_3": "0.2",
        "z^[1]_4": "-0.15",
        "a^[1]_1": "0.65",
        "a^[1]_2": "0.52",
        "a^[1]_3": "0.55",
        "a^[1]_4": "0.46",
        "z^[2]_1": "0.32",
        "z^[2]_2": "0.29",
        "z^[2]_3": "0.85",
        "a^[2]_1": "0.2718",
        "a^[2]_2": "0.2634",
        "a^[2]_3": "0.4648",
        "L": "0.7661",
    },
}

SLIDE_NOTES: dict[str, dict[str, str]] = {
    "lecture-4-4-1-bce": {
        "a^[2]_1": "rounding carried forward: the slide put its rounded a_2 = 0.921 into the sigmoid "
        "(sigmoid(0.921) = 0.71525); the unrounded 0.921228 gives 0.715292",
        "L": "rounding carried forward: -log(1 - 0.7152) = 1.25597 from the slide's rounded yhat; "
        "the given weights give -log(1 - 0.715292) = 1.256292",
    },
    "lecture-4-4-3-softmax": {
        "z^[2]_3": "slip on the slide: the given W_2 row [0.2 0.1 0.6 0.6] times h_1 gives 0.790 "
        "(0.788 from the slide's own rounded h_1 = [0.65 0.52 0.55 0.46]); 0.85 is no rounding of that, "
        "but it is what a row 3 starting with 0.3 instead of the printed 0.2 gives (0.855)",
        "a^[2]_1": "the slide's yhat is not the softmax of its own a_2 = [0.32 0.29 0.85] (that is [0.2725 0.2645 0.4630]) "
        "nor of the true a_2 = [0.318 0.287 0.790] (that is [0.2800 0.2714 0.4487]); it is the softmax of the a_2 "
        "that a row 3 starting with 0.3 gives, [0.318 0.287 0.855]",
        "a^[2]_2": "see a^[2]_1",
        "a^[2]_3": "see a^[2]_1",
        "L": "-log(0.4648) = 0.7661 follows from the slide's yhat_3, so it inherits that error; "
        "the given weights give -log(0.448672) = 0.801462",
    },
}

SLIDE_SYMBOLS = {  # what the Amrita FFNN intro's binary / multi-class slides call each quantity
    "lecture-4-4-1-bce": "the slide writes a_1 for z^[1], h_1 for a^[1], a_2 for z^[2], yhat for a^[2] and L(Theta) for L",
    "lecture-4-4-3-softmax": "the slide writes a_1 for z^[1], h_1 for a^[1], a_2 for z^[2], yhat for a^[2] and L(Theta) for L",
}
