"""audiocore, audiomixer, audiopwmio and audiobusio from the Python package: CircuitPython 9.2.9's
signatures, properties, exception types and messages, and what a recording of an output holds
(on the stepped clock, so that every number here is exact). WAV files are made here with
Python's wave module; expected samples are computed with numpy from docs/audio.md's rules."""
import array
import gc
import io
import math
import wave

import numpy as np
import pytest

import circuit9.audiobusio as audiobusio
import circuit9.audiocore as audiocore
import circuit9.audiomixer as audiomixer
import circuit9.audiopwmio as audiopwmio
import circuit9.microcontroller as microcontroller
import circuit9.circuit9_board as board_helpers
import circuit9.time as ctime

DEINIT = "Object has been deinitialized and can no longer be used. Create a new object."


def pin(n):
    return getattr(microcontroller.pin, "GPIO%d" % n)


def make_wav(path, frames, channels=1, width=2, rate=8000):
    """A PCM WAV file by Python's wave module; frames is an int16 (width 2) or uint8 (width 1)
    array of frames x channels."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(np.asarray(frames, dtype="<i2" if width == 2 else "u1").tobytes())
    return str(path)


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return w.getframerate(), w.getnchannels(), data.reshape(-1, w.getnchannels())


# ---- RawSample --------------------------------------------------------------------------------


def test_rawsample_properties_by_typecode():
    for typecode, bits in (("h", 16), ("H", 16), ("b", 8), ("B", 8)):
        s = audiocore.RawSample(array.array(typecode, [0] * 8))
        assert (s.sample_rate, s.bits_per_sample, s.channel_count) == (8000, bits, 1)
    assert audiocore.RawSample(bytearray(4)).bits_per_sample == 8
    assert audiocore.RawSample(b"\x80\x80").bits_per_sample == 8
    s = audiocore.RawSample(array.array("h", [0] * 8), channel_count=2, sample_rate=22050, single_buffer=False)
    assert (s.sample_rate, s.channel_count) == (22050, 2)
    s.sample_rate = 11025
    assert s.sample_rate == 11025
    with pytest.raises(TypeError, match="can't convert float to int"):
        s.sample_rate = 1.5


def test_rawsample_errors():
    with pytest.raises(ValueError, match=r"^buffer must be a bytearray or array of type 'h', 'H', 'b', or 'B'$"):
        audiocore.RawSample(array.array("i", [0]))
    with pytest.raises(ValueError, match="buffer must be a bytearray"):
        audiocore.RawSample(array.array("f", [0.0]))
    with pytest.raises(TypeError, match="^object with buffer protocol required$"):
        audiocore.RawSample(5)
    with pytest.raises(ValueError, match=r"^Length of buffer must be an even multiple of channel_count \* type_size$"):
        audiocore.RawSample(array.array("h", [0] * 6), channel_count=2, single_buffer=False)
    with pytest.raises(ValueError, match="^channel_count must be 1-2$"):
        audiocore.RawSample(array.array("h", [0] * 6), channel_count=3)
    with pytest.raises(TypeError):
        audiocore.RawSample(array.array("h", [0] * 6), 2)  # channel_count is keyword-only
    with pytest.raises(TypeError, match="'buffer' argument required"):
        audiocore.RawSample()


def test_rawsample_deinit_and_context():
    buf = bytearray(16)
    with audiocore.RawSample(buf) as s:
        assert s.channel_count == 1
        with pytest.raises(BufferError):
            buf.extend(b"x")  # the sample reads this memory: it cannot move
    for prop in ("sample_rate", "bits_per_sample", "channel_count"):
        with pytest.raises(ValueError, match=DEINIT):
            getattr(s, prop)
    s.deinit()
    buf.extend(b"x")


# ---- WaveFile ----------------------------------------------------------------------------------


def test_wavefile_from_path_and_file(tmp_path):
    path = make_wav(tmp_path / "a.wav", np.arange(100, dtype=np.int16), rate=22050)
    w = audiocore.WaveFile(path)
    assert (w.sample_rate, w.bits_per_sample, w.channel_count) == (22050, 16, 1)
    path8 = make_wav(tmp_path / "b.wav", np.zeros((10, 2), np.uint8), channels=2, width=1, rate=11025)
    with open(path8, "rb") as f:
        w = audiocore.WaveFile(f, bytearray(64))
        assert (w.sample_rate, w.bits_per_sample, w.channel_count) == (11025, 8, 2)
    w2 = audiocore.WaveFile(io.BytesIO(open(path, "rb").read()))
    assert w2.sample_rate == 22050
    w2.deinit()
    with pytest.raises(ValueError, match=DEINIT):
        w2.sample_rate


def wav_bytes(fmt_size=16, tag=1, channels=1, rate=8000, bits=16, extra=b"", data=b"\0\0"):
    block = channels * bits // 8
    body = (tag.to_bytes(2, "little") + channels.to_bytes(2, "little") + rate.to_bytes(4, "little") +
            (rate * block).to_bytes(4, "little") + block.to_bytes(2, "little") + bits.to_bytes(2, "little"))
    body = (body + extra).ljust(fmt_size, b"\0")[:fmt_size]
    chunks = b"fmt " + fmt_size.to_bytes(4, "little") + body + b"data" + len(data).to_bytes(4, "little") + data
    return b"RIFF" + (4 + len(chunks)).to_bytes(4, "little") + b"WAVE" + chunks


def test_wavefile_errors(tmp_path):
    cases = [
        (b"RIFX" + wav_bytes()[4:], ValueError, "^Invalid file$"),
        (b"not a wav file at all", ValueError, "^Invalid file$"),
        (wav_bytes(fmt_size=44), ValueError, "^Invalid format chunk size$"),
        (wav_bytes(bits=24), ValueError, "^Unsupported format$"),
        (wav_bytes(channels=3), ValueError, "^Unsupported format$"),
        (wav_bytes(tag=3, bits=32), ValueError, "^Unsupported format$"),
        (wav_bytes(fmt_size=18, extra=b"\x02\x00"), ValueError, "^Unsupported format$"),
        (wav_bytes()[:-10], OSError, r"\[Errno 5\] EIO"),  # no data chunk header
    ]
    for data, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            audiocore.WaveFile(io.BytesIO(data))
    with pytest.raises(OSError) as e:
        audiocore.WaveFile(str(tmp_path / "missing.wav"))
    assert e.value.errno == 2
    path = make_wav(tmp_path / "a.wav", np.zeros(8, np.int16))
    with open(path, "r") as f:
        with pytest.raises(TypeError, match="^file must be a file opened in byte mode$"):
            audiocore.WaveFile(f)
    with pytest.raises(TypeError, match="^file must be a file opened in byte mode$"):
        audiocore.WaveFile(3)

    class Raw(io.RawIOBase):  # Python code would run while the audio renders: refused
        def readinto(self, b):
            return 0

        def readable(self):
            return True

    with pytest.raises(TypeError, match="^file must be a file opened in byte mode$"):
        audiocore.WaveFile(io.BufferedReader(Raw()))
    with pytest.raises(ValueError, match="^buffer length must be 8-1024$"):
        audiocore.WaveFile(path, bytearray(4))
    with pytest.raises(ValueError, match="^buffer length must be 8-1024$"):
        audiocore.WaveFile(path, bytearray(1025))
    with pytest.raises(TypeError, match="^object with buffer protocol required$"):
        audiocore.WaveFile(path, b"12345678")
    with pytest.raises(TypeError, match="keyword arguments"):
        audiocore.WaveFile(path, buffer=bytearray(8))
    with pytest.raises(TypeError):
        audiocore.WaveFile()


# ---- Mixer and MixerVoice -------------------------------------------------------------------


def test_mixer_defaults_and_validation():
    m = audiomixer.Mixer()
    assert (m.sample_rate, m.channel_count, m.bits_per_sample) == (8000, 2, 16)
    assert len(m.voice) == 2 and all(isinstance(v, audiomixer.MixerVoice) for v in m.voice)
    assert not m.playing
    for kw, msg in (({"voice_count": 0}, "^voice_count must be 1-255$"), ({"voice_count": 256}, "voice_count must be 1-255"),
                    ({"channel_count": 3}, "^channel_count must be 1-2$"), ({"sample_rate": 0}, "^sample_rate must be >= 1$"),
                    ({"bits_per_sample": 12}, "^bits_per_sample must be 8 or 16$"),
                    ({"buffer_size": 4}, "^buffer_size must be >= 8$")):
        with pytest.raises(ValueError, match=msg):
            audiomixer.Mixer(**kw)
    with pytest.raises(TypeError):
        audiomixer.Mixer(2)
    with pytest.raises(MemoryError):
        audiomixer.Mixer(buffer_size=2**31 - 1)  # more than any board has


def test_mixer_play_errors():
    m = audiomixer.Mixer(voice_count=2, channel_count=1, sample_rate=8000)
    s16 = audiocore.RawSample(array.array("h", [0] * 8))
    for sample, msg in ((audiocore.RawSample(array.array("h", [0] * 8), sample_rate=16000), "sample_rate"),
                        (audiocore.RawSample(array.array("h", [0] * 8), channel_count=2), "channel_count"),
                        (audiocore.RawSample(array.array("b", [0] * 8)), "bits_per_sample"),
                        (audiocore.RawSample(array.array("H", [0] * 8)), "signedness")):
        with pytest.raises(ValueError, match="^The sample's %s does not match$" % msg):
            m.voice[0].play(sample)
    with pytest.raises(TypeError, match="^'int' object does not support 'protocol_audiosample'$"):
        m.play(5)
    with pytest.raises(ValueError, match="^Invalid voice$"):
        m.play(s16, voice=2)
    with pytest.raises(ValueError, match="^Invalid voice$"):
        m.stop_voice(-1)
    m.play(s16, voice=1, loop=True)
    assert m.voice[1].playing and m.voice[1].loop and m.playing
    m.stop_voice(1)
    assert not m.voice[1].playing and not m.playing
    m.deinit()
    with pytest.raises(ValueError, match=DEINIT):
        m.playing
    with pytest.raises(ValueError, match=DEINIT):
        m.play(s16)


def test_voice_level_and_loop():
    v = audiomixer.Mixer().voice[0]
    assert v.level == 1.0
    v.level = 0.25
    assert v.level == 0.25
    v.level = 2  # kept as given, clamped when mixed
    assert v.level == 2.0
    v.level = None
    assert v.level == 0.0
    with pytest.raises(TypeError, match="^level must be of type BlockInput, not str$"):
        v.level = "loud"
    v.loop = 1
    assert v.loop is True
    lone = audiomixer.MixerVoice()
    assert not lone.playing
    with pytest.raises(RuntimeError):
        lone.play(audiocore.RawSample(array.array("h", [0] * 4)))
    with pytest.raises(TypeError):
        audiomixer.MixerVoice(1)


def count_mixers():
    return sum(isinstance(o, audiomixer.Mixer) for o in gc.get_objects())


def test_mixer_cycles_are_collected():
    gc.collect()
    before = count_mixers()
    m = audiomixer.Mixer(channel_count=1)
    m.voice[0].play(m, loop=True)  # a mixer on its own voice: the voice stops, nothing hangs
    assert not m.voice[0].playing
    inner = audiomixer.Mixer(channel_count=1)
    m.voice[1].play(inner, loop=True)  # mixer -> voice -> mixer -> voices -> mixer
    assert m.voice[1].playing
    assert count_mixers() == before + 2
    del m, inner
    gc.collect()
    assert count_mixers() == before


# ---- outputs ------------------------------------------------------------------------------------


@pytest.fixture
def stepped(tmp_path):
    """The board's clock moves only when the program waits; outputs record to tmp_path/out.wav."""
    board_helpers.stepped_clock(True)
    board_helpers.record_audio(str(tmp_path / "out.wav"))
    yield tmp_path
    gc.collect()
    board_helpers.record_audio(None)
    board_helpers.stepped_clock(False)


def test_output_pins_and_errors():
    out = audiopwmio.PWMAudioOut(pin(10), right_channel=pin(11), quiescent_value=0)
    with pytest.raises(ValueError, match="^CAMERA_DATA7 in use$"):
        audiopwmio.PWMAudioOut(pin(10))
    with pytest.raises(TypeError, match="left_channel must be of type Pin"):
        audiopwmio.PWMAudioOut(3)
    with pytest.raises(RuntimeError, match="^Not playing$"):
        out.pause()
    out.resume()  # not paused: nothing
    assert not out.playing and not out.paused
    with pytest.raises(TypeError, match="^'NoneType' object does not support 'protocol_audiosample'$"):
        out.play(None)
    with pytest.raises(ValueError, match="^sample_rate must be 1-384000$"):
        out.play(audiocore.RawSample(array.array("h", [0] * 4), sample_rate=0))
    dead = audiocore.RawSample(array.array("h", [0] * 4))
    dead.deinit()
    with pytest.raises(ValueError, match=DEINIT):
        out.play(dead)
    out.deinit()
    out.deinit()
    for call in (out.stop, out.pause, out.resume):
        with pytest.raises(ValueError, match=DEINIT):
            call()
    with pytest.raises(ValueError, match=DEINIT):
        out.playing
    audiopwmio.PWMAudioOut(pin(10)).deinit()  # the pins were given back
    with audiopwmio.PWMAudioOut(pin(10)) as o:
        assert not o.playing
    audiopwmio.PWMAudioOut(pin(10)).deinit()


def test_i2s_peripherals():
    # The package is the default board, an ESP32-S3: two I2S units.
    a = audiobusio.I2SOut(pin(1), pin(2), pin(3), left_justified=False)
    b = audiobusio.I2SOut(pin(4), pin(5), pin(6), main_clock=pin(7), left_justified=True)
    with pytest.raises(RuntimeError, match="^Peripheral in use$"):
        audiobusio.I2SOut(pin(8), pin(9), pin(12))
    with pytest.raises(ValueError, match="^NEOPIXEL in use$"):
        audiobusio.I2SOut(pin(1), pin(13), pin(14))
    a.deinit()
    audiobusio.I2SOut(pin(8), pin(9), pin(12)).deinit()  # the pins of the failed one were released
    b.deinit()


def test_play_stop_pause_recording(stepped):
    """PWM: 10-bit levels from the RP2040's DMA conversion, quiescent between plays, the last
    level held while paused; a second sample rate starts a second file."""
    tone = np.array([int(20000 * math.sin(2 * math.pi * i / 16)) for i in range(16)], np.int16)
    s = audiocore.RawSample(array.array("h", tone.tolist()), sample_rate=8000)
    out = audiopwmio.PWMAudioOut(pin(20))
    out.play(s, loop=True)
    ctime.sleep(0.01)  # 80 frames
    out.pause()
    assert out.paused and out.playing
    ctime.sleep(0.005)  # 40 frames holding frame 79
    out.resume()
    ctime.sleep(0.002)  # 16 frames, from frame 80
    out.stop()
    ctime.sleep(0.001)  # 8 frames at the quiescent level
    fast = audiocore.RawSample(array.array("h", tone.tolist()), sample_rate=16000)
    out.play(fast)
    while out.playing:  # ends when the 16 frames have been played
        pass
    out.deinit()
    rate, ch, got = read_wav(stepped / "out.wav")
    assert (rate, ch) == (8000, 1)
    level = lambda x: ((x.astype(np.int32) + 32768) >> 6)  # noqa: E731  PWM_TOP 1023
    want = np.concatenate([np.resize(level(tone), 80), np.full(40, level(tone)[79 % 16]),
                           np.resize(level(tone), 96)[80:], np.full(8, 512)])
    assert np.array_equal((got[:, 0].astype(np.int32) + 32768) >> 6, want)
    rate, ch, got = read_wav(stepped / "out-2.wav")
    assert (rate, ch, len(got)) == (16000, 1, 16)
    assert np.array_equal((got[:, 0].astype(np.int32) + 32768) >> 6, level(tone))


def test_i2s_mixer_recording(stepped, tmp_path):
    """I2S on the ESP32-S3 (audiocore's shift conversion) playing a Mixer of a WaveFile and a
    looped RawSample at two levels, compared with the mixing rule computed by numpy."""
    n = 700
    music = (np.sin(np.arange(n) * 0.05) * 30000).astype(np.int16)
    path = make_wav(tmp_path / "m.wav", music, rate=8000)
    loop = np.array([9000, -9000, 12000, -3], np.int16)
    mixer = audiomixer.Mixer(voice_count=2, channel_count=1, sample_rate=8000, buffer_size=256)
    out = audiobusio.I2SOut(pin(1), pin(2), pin(3))
    out.play(mixer)
    mixer.voice[0].play(audiocore.WaveFile(path))
    mixer.voice[1].play(audiocore.RawSample(array.array("h", loop.tolist())), loop=True)
    mixer.voice[1].level = 0.3
    ctime.sleep(0.1)  # 800 frames
    out.deinit()
    rate, ch, got = read_wav(stepped / "out.wav")
    assert (rate, ch, len(got)) == (8000, 2, 800)
    assert np.array_equal(got[:, 0], got[:, 1])  # mono to both I2S channels

    def scale(x, level):
        q = np.float32(np.clip(np.float32(level), 0, 1)) * np.float32(32768)
        mul = np.float32(np.uint16(q)) / np.float32(32767)
        return np.clip(np.trunc(x.astype(np.float32) * mul), -32768, 32767).astype(np.int64)

    # The mixer renders 64-frame buffers; the output took its first two at play() time, before
    # the voices started (silence), so the voices are heard from frame 128.
    frames = np.arange(800 - 128)
    v0 = np.where(frames < n, music[np.minimum(frames, n - 1)], 0)
    mix = np.clip(scale(v0, 1.0) * (frames < n) + scale(loop[frames % 4], 0.3), -32768, 32767)
    want = np.concatenate([np.zeros(128, np.int64), mix])
    assert np.array_equal(got[:, 0].astype(np.int64), want)
