"""Converters: turn files, byte streams and other components' outputs into documents or other values."""

from pipeline.components.converters.csv import CSVToDocument
from pipeline.components.converters.html import HTMLToDocument
from pipeline.components.converters.json import JSONConverter
from pipeline.components.converters.output_adapter import OutputAdapter
from pipeline.components.converters.txt import TextFileToDocument

__all__ = ["CSVToDocument", "HTMLToDocument", "JSONConverter", "OutputAdapter", "TextFileToDocument"]
