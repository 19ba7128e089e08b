"""JVM transformers of sdc-spark-eval: -T java:CLASS.

CLASS implements sdc.spark.Transformer, the Java interface of
sdc-spark.jar (lib/spark/java).  That jar (--sdc-jar) and the user's jars
(--jar) go on the class path of the driver's JVM and, through spark.jars,
of the executors, before the SparkContext starts.  Then sdc.spark.Bridge,
made through py4j, loads CLASS and calls its init(); each batch goes to
Bridge.run() as the chunks of frames that codec.chunks cuts, and comes
back as one buffer of whole result and error frames, encoded on the
executors by the Java codec: no record of a JVM transformer is decoded
in Python.  The bytes go both ways through a file of a private directory,
since py4j would take some 100 ms to move the 1.5 MB of 10000 records
as base64.  A failed transform() or Spark job raises Py4JJavaError,
which fails the batch as for a Python transformer.
"""

import atexit
import os
import shutil
import sys
import tempfile

PREFIX = "java:"
START_EXCEPTION = "sdc.spark.Bridge$StartException"


class JvmStartError(Exception):
    """The JVM transformer cannot start: a message, no traceback."""


def class_name(spec: str):
    """The class of a java:CLASS spec, or None for a Python spec."""
    return spec[len(PREFIX):] if spec.startswith(PREFIX) else None


def jar_paths(sdc_jar, jars) -> list:
    """sdc_jar (when given) and jars, absolute, each checked to exist."""
    paths = []
    if sdc_jar is not None:
        if not os.path.isfile(sdc_jar):
            raise JvmStartError(
                f"{sdc_jar}: no such file: sdc-tools was built without a "
                f"JDK, or SDC_SPARK_JAR names the wrong file")
        paths.append(os.path.abspath(sdc_jar))
    for jar in jars:
        if not os.path.isfile(jar):
            raise JvmStartError(f"--jar {jar}: no such file")
        paths.append(os.path.abspath(jar))
    return paths


def add_class_path(settings: dict, jars: list) -> None:
    """Put jars after those the user's --conf gives already."""
    if not jars:
        return
    shipped = [j for j in settings.get("spark.jars", "").split(",") if j]
    settings["spark.jars"] = ",".join(shipped + jars)
    path = [p for p in settings.get("spark.driver.extraClassPath",
                                    "").split(os.pathsep) if p]
    settings["spark.driver.extraClassPath"] = os.pathsep.join(path + jars)


class JvmTransformer:
    """The user's Transformer in the JVM, behind sdc.spark.Bridge."""

    def __init__(self, sc, name: str, params):
        from py4j.java_gateway import JavaClass
        from py4j.protocol import Py4JJavaError
        bridge = sc._jvm.sdc.spark.Bridge
        if not isinstance(bridge, JavaClass):
            raise JvmStartError("sdc.spark.Bridge is not on the class path "
                                "of the JVM: is sdc-spark.jar complete?")
        try:
            self.bridge = bridge(sc._jsc, name, list(params))
        except Py4JJavaError as e:
            java = e.java_exception
            if java.getClass().getName() == START_EXCEPTION:
                raise JvmStartError(f"{PREFIX}{name}: "
                                    f"{java.getMessage()}") from None
            print(str(e), file=sys.stderr)  # the stack, for the log
            raise JvmStartError(f"{PREFIX}{name}: the transformer could "
                                f"not start: {java_message(e)}") from None
        self.dir = tempfile.mkdtemp(prefix="sdc-spark-jvm-")
        atexit.register(shutil.rmtree, self.dir, True)

    def run(self, pieces: list) -> list:
        """(frame count, bytes) of the output of one batch's pieces."""
        into = os.path.join(self.dir, "batch")
        back = os.path.join(self.dir, "output")
        try:
            with open(into, "wb") as f:
                f.writelines(pieces)
            frames = self.bridge.run(into, [len(p) for p in pieces], back)
            with open(back, "rb") as f:
                data = f.read()
        finally:
            for path in (into, back):
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
        return [(frames, data)] if frames else []

    def destroy(self) -> None:
        try:
            self.bridge.destroy()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def java_message(e: BaseException):
    """The innermost Java exception behind e, as "class: message", or
    None when e does not come from the JVM.

    A failed Spark job is a SparkException whose cause is what the task
    threw; an exception of transform() itself comes as it is.
    """
    cause = getattr(e, "java_exception", None)
    if cause is None:
        return None
    for _ in range(32):  # a cycle of causes is possible in Java
        inner = cause.getCause()
        if inner is None:
            break
        cause = inner
    return cause.toString()
