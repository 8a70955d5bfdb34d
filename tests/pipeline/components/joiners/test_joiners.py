"""BranchJoiner, StringJoiner and AnswerJoiner: sockets, outputs, serialization and errors as in Haystack 2.31."""

from __future__ import annotations

import pytest

from pipeline import AsyncPipeline, Pipeline, component
from pipeline.components.builders import PromptBuilder
from pipeline.components.joiners import AnswerJoiner, BranchJoiner, StringJoiner
from pipeline.dataclasses import ChatMessage, Document, ExtractedAnswer, GeneratedAnswer


@component
class Decrement:
    """Sends its value back while it is positive, out through `done` once it reaches 0."""

    @component.output_types(again=int, done=int)
    def run(self, value: int) -> dict[str, int]:
        return {"again": value - 1} if value > 0 else {"done": value}


def test_branch_joiner_sockets_follow_its_type() -> None:
    pipe = Pipeline()
    pipe.add_component("joiner", BranchJoiner(list[ChatMessage]))
    (socket,) = pipe.inputs(include_components_with_connected_inputs=True)["joiner"].items()
    assert socket[0] == "value" and socket[1]["type"] == list[ChatMessage]
    assert pipe.outputs()["joiner"]["value"]["type"] == list[ChatMessage]


def test_branch_joiner_forwards_the_one_value_and_refuses_two() -> None:
    joiner = BranchJoiner(int)
    assert joiner.run(value=[7]) == {"value": 7}
    with pytest.raises(ValueError) as error:
        joiner.run(value=[1, 2])
    assert str(error.value) == "BranchJoiner expects only one input, but 2 were received."


async def test_branch_joiner_runs_on_the_event_loop_with_the_same_result() -> None:
    joiner = BranchJoiner(int)
    assert await joiner.run_async(value=[7]) == {"value": 7}
    with pytest.raises(ValueError, match="expects only one input"):
        await joiner.run_async(value=[1, 2])
    pipe = AsyncPipeline()
    pipe.add_component("joiner", joiner)
    async with pipe.events({"joiner": {"value": 1}}) as run:
        modes = {getattr(event, "mode", None) async for event in run} - {None}
    assert modes == {"async"}  # no worker-thread hop per loop visit


@pytest.mark.parametrize("pipeline_class", [Pipeline, AsyncPipeline])
def test_branch_joiner_closes_a_loop(pipeline_class: type[Pipeline] | type[AsyncPipeline]) -> None:
    pipe = pipeline_class()
    pipe.add_component("joiner", BranchJoiner(int))
    pipe.add_component("decrement", Decrement())
    pipe.connect("joiner.value", "decrement.value")
    pipe.connect("decrement.again", "joiner.value")
    assert pipe.run({"joiner": {"value": 3}}) == {"decrement": {"done": 0}}


def test_branch_joiner_to_dict_serializes_the_type() -> None:
    joiner = BranchJoiner(list[ChatMessage])
    data = joiner.to_dict()
    assert data == {
        "type": "pipeline.components.joiners.branch.BranchJoiner",
        "init_parameters": {"type_": "list[pipeline.dataclasses.chat_message.ChatMessage]"},
    }
    assert BranchJoiner.from_dict(data).type_ == list[ChatMessage]
    assert data["init_parameters"]["type_"] == "list[pipeline.dataclasses.chat_message.ChatMessage]"  # not mutated
    pipe = Pipeline()
    pipe.add_component("joiner", BranchJoiner(int))
    assert "type_: int" in pipe.dumps()
    assert Pipeline.loads(pipe.dumps()).get_component("joiner").type_ is int
    written_by_haystack = {"type": data["type"], "init_parameters": {"type_": "list[haystack.dataclasses.ChatMessage]"}}
    assert BranchJoiner.from_dict(written_by_haystack).type_ == list[ChatMessage]


def test_string_joiner_collects_strings_in_connection_order() -> None:
    pipe = Pipeline()
    pipe.add_component("first", PromptBuilder("Builder 1: {{query}}", required_variables="*"))
    pipe.add_component("second", PromptBuilder("Builder 2: {{query}}", required_variables="*"))
    pipe.add_component("joiner", StringJoiner())
    pipe.connect("first.prompt", "joiner.strings")
    pipe.connect("second.prompt", "joiner.strings")
    result = pipe.run({"first": {"query": "What is NLP?"}, "second": {"query": "What is life?"}})
    assert result == {"joiner": {"strings": ["Builder 1: What is NLP?", "Builder 2: What is life?"]}}
    assert StringJoiner().run(strings=[]) == {"strings": []}


def generated(data: str) -> GeneratedAnswer:
    return GeneratedAnswer(data=data, query="q", documents=[])


def extracted(data: str, score: float) -> ExtractedAnswer:
    return ExtractedAnswer(query="q", score=score, data=data)


def test_answer_joiner_concatenates_in_order_by_default() -> None:
    lists = [[generated("g1"), extracted("e1", 0.2)], [extracted("e2", 0.9), generated("g2")]]
    assert AnswerJoiner().run(answers=lists)["answers"] == [*lists[0], *lists[1]]


def test_answer_joiner_sorts_by_score_with_unscored_answers_last_and_cuts_to_top_k() -> None:
    lists = [[generated("g1"), extracted("e1", 0.2)], [extracted("e2", 0.9), generated("g2")]]
    joiner = AnswerJoiner(sort_by_score=True, top_k=3)
    assert [a.data for a in joiner.run(answers=lists)["answers"]] == ["e2", "e1", "g1"]
    assert [a.data for a in joiner.run(answers=lists, top_k=1)["answers"]] == ["e2"]
    assert len(joiner.run(answers=lists, top_k=0)["answers"]) == 3  # as in Haystack: 0 falls back to the init value


def test_answer_joiner_join_modes_and_serialization() -> None:
    with pytest.raises(ValueError) as error:
        AnswerJoiner(join_mode="merge")
    assert str(error.value) == "Unknown join mode 'merge'. Supported modes in AnswerJoiner are: ['concatenate']"
    joiner = AnswerJoiner(join_mode="concatenate", top_k=2, sort_by_score=True)
    data = joiner.to_dict()
    assert data == {
        "type": "pipeline.components.joiners.answer_joiner.AnswerJoiner",
        "init_parameters": {"join_mode": "concatenate", "top_k": 2, "sort_by_score": True},
    }
    restored = AnswerJoiner.from_dict(data)
    assert (str(restored.join_mode), restored.top_k, restored.sort_by_score) == ("concatenate", 2, True)


def test_answer_joiner_in_a_pipeline_joins_two_senders() -> None:
    @component
    class Answers:
        def __init__(self, text: str) -> None:
            self.text = text

        @component.output_types(answers=list[GeneratedAnswer])
        def run(self, query: str) -> dict[str, list[GeneratedAnswer]]:
            return {"answers": [GeneratedAnswer(self.text, query, [Document(content=self.text)])]}

    pipe = Pipeline()
    pipe.add_component("a", Answers("A"))
    pipe.add_component("b", Answers("B"))
    pipe.add_component("joiner", AnswerJoiner())
    pipe.connect("a.answers", "joiner.answers")
    pipe.connect("b.answers", "joiner.answers")
    answers = pipe.run({"query": "Q"})["joiner"]["answers"]
    assert [(a.data, a.query) for a in answers] == [("A", "Q"), ("B", "Q")]
