"""Small components for testing pipelines, with the names, sockets and behaviour of Haystack's
`haystack.testing.sample_components`."""

from pipeline.testing.sample_components.accumulate import Accumulate
from pipeline.testing.sample_components.add_value import AddFixedValue
from pipeline.testing.sample_components.concatenate import Concatenate
from pipeline.testing.sample_components.double import Double
from pipeline.testing.sample_components.fstring import FString
from pipeline.testing.sample_components.future_annotations import HelloUsingFutureAnnotations
from pipeline.testing.sample_components.greet import Greet
from pipeline.testing.sample_components.hello import Hello
from pipeline.testing.sample_components.joiner import StringJoiner, StringListJoiner
from pipeline.testing.sample_components.parity import Parity
from pipeline.testing.sample_components.remainder import Remainder
from pipeline.testing.sample_components.repeat import Repeat
from pipeline.testing.sample_components.subtract import Subtract
from pipeline.testing.sample_components.sum import Sum
from pipeline.testing.sample_components.text_splitter import TextSplitter
from pipeline.testing.sample_components.threshold import Threshold

__all__ = [
    "Accumulate",
    "AddFixedValue",
    "Concatenate",
    "Double",
    "FString",
    "Greet",
    "Hello",
    "HelloUsingFutureAnnotations",
    "Parity",
    "Remainder",
    "Repeat",
    "StringJoiner",
    "StringListJoiner",
    "Subtract",
    "Sum",
    "TextSplitter",
    "Threshold",
]
