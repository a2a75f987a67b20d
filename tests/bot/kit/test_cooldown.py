from bot.kit.cooldown import Cooldown


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_one_use_per_period_per_user():
    clock = Clock()
    cooldown = Cooldown(10, clock)
    assert cooldown.retry_after(1) == 0
    clock.now += 4
    assert cooldown.retry_after(1) == 6
    assert cooldown.retry_after(2) == 0
    clock.now += 6
    assert cooldown.retry_after(1) == 0


def test_zero_turns_it_off():
    cooldown = Cooldown(0)
    assert cooldown.retry_after(1) == cooldown.retry_after(1) == 0


def test_users_whose_wait_is_over_are_forgotten():
    clock = Clock()
    cooldown = Cooldown(1, clock)
    for user in range(10_000):
        cooldown.retry_after(user)
    clock.now += 2
    cooldown.retry_after(-1)
    assert len(cooldown._last) == 1
