"""Make the fire-safety course's example lecture video: slides + espeak-ng Kazakh narration.

    .venv/bin/python scripts/make_example_lecture.py

Writes `fire-triangle.mp4` (640×360, about one minute, well under 1 MB) with Kazakh and Russian
captions (`fire-triangle.kk.srt`, `fire-triangle.ru.srt`) beside the lesson. Needs Debian's
ffmpeg, espeak-ng and the DejaVu fonts (`make system-packages`). The output is committed, so
this runs only when the slides change; the builder then makes the web renditions.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from builder.media.captions import Cue, timestamp
from builder.media.encoder import probe, slideshow

TARGET = Path(__file__).parents[1] / "content/courses/fire-safety/01-combustion/media/fire-triangle.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PAD = 0.6  # seconds of silence after each slide's narration (encoder.slideshow adds the same)

# (slide title, slide points, Kazakh narration = kk caption, Russian caption)
SLIDES = [
    (
        "Жану үшбұрышы",
        ["Өрт қауіпсіздігі курсы", "1-модуль. Жану"],
        "Сәлеметсіздер ме! Бүгінгі дәрісіміздің тақырыбы — жану үшбұрышы.",
        "Здравствуйте! Тема сегодняшней лекции — треугольник горения.",
    ),
    (
        "Үш шарт",
        ["1. Жанғыш зат", "2. Тотықтырғыш — ауадағы оттегі", "3. Тұтандыру көзі"],
        "Жану үшін бір уақытта үш шарт қажет: жанғыш зат, тотықтырғыш және тұтандыру көзі.",
        "Для горения одновременно нужны три условия: горючее вещество, окислитель и источник зажигания.",
    ),
    (
        "Біреуі жоқ — жану жоқ",
        ["Жанғышты шығару", "Оттегіні шектеу", "Салқындату"],
        "Үшеуінің біреуін жойсақ, жану тоқтайды. Өрт сөндірудің барлық тәсілі осыған негізделген.",
        "Если убрать одно из трёх, горение прекращается. На этом основаны все способы тушения.",
    ),
    (
        "Оттегі",
        ["Ауада — шамамен 21 %", "14–16 %-дан төмен — жалын сөнеді"],
        "Ауада оттегі шамамен жиырма бір пайыз. Он төрт пайыздан төмендесе, жалын сөнеді.",
        "В воздухе около двадцати одного процента кислорода. Ниже четырнадцати процентов пламя гаснет.",
    ),
    (
        "Сөндіру тәсілдері",
        ["Салқындату — су", "Оқшаулау — көбік, құм", "Сұйылту — көмірқышқыл газы", "Тежеу — ұнтақтар"],
        "Сөндірудің төрт тәсілі бар: салқындату, оқшаулау, сұйылту және химиялық тежеу.",
        "Есть четыре способа тушения: охлаждение, изоляция, разбавление и химическое торможение.",
    ),
    (
        "Есте сақтаңыз",
        ["Есікті ашпас бұрын — қолдың сыртымен тексеріңіз", "Ыстық есікті ашпаңыз!"],
        "Өрт шыққан бөлменің есігін ашпас бұрын оны қолдың сыртымен тексеріңіз. Назарларыңызға рақмет!",
        "Прежде чем открыть дверь горящего помещения, проверьте её тыльной стороной ладони. Спасибо за внимание!",
    ),
]


def draw_slide(title: str, points: list[str], path: Path) -> None:
    image = Image.new("RGB", (1280, 720), (38, 50, 56))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 14), fill=(255, 87, 34))
    draw.text((80, 90), title, font=ImageFont.truetype(BOLD, 72), fill=(255, 255, 255))
    body = ImageFont.truetype(FONT, 44)
    for index, point in enumerate(points):
        draw.text((90, 250 + index * 90), point, font=body, fill=(236, 239, 241))
    draw.text(
        (80, 640), "ТЖМ Азаматтық қорғау академиясы", font=ImageFont.truetype(FONT, 28), fill=(255, 171, 145)
    )
    image.save(path)


def narrate(text: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "kk", "-s", "120", "-w", str(path), text], check=True)


def srt(cues: list[Cue]) -> str:
    blocks = [
        f"{number}\n{timestamp(c.start).replace('.', ',')} --> {timestamp(c.end).replace('.', ',')}\n{c.text}"
        for number, c in enumerate(cues, 1)
    ]
    return "\n\n".join(blocks) + "\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pairs, kk, ru, start = [], [], [], 0.0
        for index, (title, points, speech, russian) in enumerate(SLIDES):
            slide, voice = folder / f"{index}.png", folder / f"{index}.wav"
            draw_slide(title, points, slide)
            narrate(speech, voice)
            pairs.append((slide, voice))
            seconds = probe(voice).duration
            kk.append(Cue(start, start + seconds, speech))
            ru.append(Cue(start, start + seconds, russian))
            start += seconds + PAD
        slideshow(pairs, TARGET)
    TARGET.with_name(TARGET.stem + ".kk.srt").write_text(srt(kk), encoding="utf-8")
    TARGET.with_name(TARGET.stem + ".ru.srt").write_text(srt(ru), encoding="utf-8")
    print(f"{TARGET}: {probe(TARGET).duration:.1f} s, {TARGET.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
