from bot.kit.cooldown import Cooldown


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_one_use_per_period_per_user():
    clock = Clock()
    cooldown = Cooldown(10, clock=clock)
    assert cooldown.retry_after(1) == 0
    clock.now += 4
    assert cooldown.retry_after(1) == 6
    assert cooldown.retry_after(2) == 0
    clock.now += 6
    assert cooldown.retry_after(1) == 0


def test_a_burst_goes_through_then_the_oldest_use_must_age_out():
    clock = Clock()
    cooldown = Cooldown(30, burst=3, clock=clock)
    for _ in range(3):
        assert cooldown.retry_after(1) == 0
        clock.now += 1
    assert cooldown.retry_after(1) == 27  # the first use, at 100, leaves the window at 130
    clock.now = 130
    assert cooldown.retry_after(1) == 0
    assert cooldown.retry_after(1) == 1  # the second use, at 101


def test_a_refusal_is_signalled_once_per_wait():
    clock = Clock()
    cooldown = Cooldown(10, clock=clock)
    cooldown.retry_after(1)
    wait = cooldown.retry_after(1)
    assert cooldown.first_refusal(1, wait)
    clock.now += 1
    assert not cooldown.first_refusal(1, cooldown.retry_after(1))
    clock.now += 9
    assert cooldown.retry_after(1) == 0
    assert cooldown.first_refusal(1, cooldown.retry_after(1))


def test_zero_turns_it_off():
    cooldown = Cooldown(0)
    assert cooldown.retry_after(1) == cooldown.retry_after(1) == 0


def test_users_whose_wait_is_over_are_forgotten():
    clock = Clock()
    cooldown = Cooldown(1, clock=clock)
    for user in range(10_000):
        cooldown.retry_after(user)
    clock.now += 2
    cooldown.retry_after(-1)
    assert len(cooldown._recent) == 1
