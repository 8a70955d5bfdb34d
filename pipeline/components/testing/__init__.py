from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent

__all__ = ["AsyncWaitingComponent", "WaitingComponent"]
