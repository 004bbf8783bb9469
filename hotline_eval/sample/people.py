"""Fake personal data for the sample province: names, phone numbers, ID numbers, addresses.

They look real so that masking is exercised end to end (phone numbers are valid mobile
numbers, ID numbers carry a correct GB 11643 check digit); none belongs to a real person.
"""

from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕文博子涵雨轩浩然欣怡")
STREETS = ["人民路", "解放路", "建设路", "中山路", "新华街", "和平路", "文化路", "长江路", "滨江大道", "光明街"]
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    sur = rng.choice(SURNAMES, n)
    g1 = rng.choice(GIVEN, n)
    g2 = np.where(rng.random(n) < 0.6, rng.choice(GIVEN, n), "")
    return np.char.add(np.char.add(sur, g1), g2)


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    second = rng.choice(list("3456789"), n)
    rest = rng.integers(0, 10**9, n)
    return np.char.add(np.char.add("1", second), np.char.zfill(rest.astype(str), 9))


def id_numbers(rng: np.random.Generator, n: int, region: str = "990102") -> np.ndarray:
    """18-digit resident ID numbers with a valid check digit (region code 99…: fictional)."""
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 55, n).astype("timedelta64[D]")
    born = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    seq = np.char.zfill(rng.integers(0, 1000, n).astype(str), 3)
    body = np.char.add(np.char.add(region, born), seq)
    digits = np.array([list(b) for b in body], dtype=int) if n else np.zeros((0, 17), int)
    check = ID_CHECK[(digits @ ID_WEIGHTS) % 11] if n else np.array([], dtype=str)
    return np.char.add(body, check)


def addresses(rng: np.random.Generator, city_zh: str, districts: list[str], n: int) -> np.ndarray:
    dist = rng.choice(districts, n)
    street = rng.choice(STREETS, n)
    number = rng.integers(1, 400, n).astype(str)
    return np.char.add(np.char.add(np.char.add(city_zh + "", dist), street), np.char.add(number, "号"))
