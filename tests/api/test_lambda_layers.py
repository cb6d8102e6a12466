"""Lambda layers through boto3: publish, get, list and delete layer versions,
and functions that import Python modules, Node packages and run executables
from their layers, in the order AWS lays them over each other."""
import json
import unittest

from lambda_helpers import ROLE, LambdaTestCase, zip_of

ARN = "arn:aws:lambda:us-east-1:000000000000:layer:"


class LayerTests(LambdaTestCase):
    def publish(self, name, files, **kwargs):
        return self.lam.publish_layer_version(LayerName=name, Content={"ZipFile": zip_of(files)},
                                              **kwargs)

    def test_publish_get_list_delete(self):
        v1 = self.publish("shared", {"python/shared.py": "X = 1\n"}, Description="first",
                          CompatibleRuntimes=["python3.11", "python3.12"],
                          LicenseInfo="MIT")
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((v1["Version"], v1["LayerArn"], v1["LayerVersionArn"]),
                         (1, ARN + "shared", ARN + "shared:1"))
        self.assertEqual(v1["Content"]["CodeSize"], len(zip_of({"python/shared.py": "X = 1\n"})))
        v2 = self.publish("shared", {"python/shared.py": "X = 2\n"},
                          CompatibleRuntimes=["nodejs20.x"])
        self.assertEqual(v2["Version"], 2)
        got = self.lam.get_layer_version(LayerName="shared", VersionNumber=1)
        self.assertEqual((got["Description"], got["LicenseInfo"]), ("first", "MIT"))
        self.assertEqual(self.lam.get_layer_version_by_arn(Arn=ARN + "shared:2")["Version"], 2)
        versions = self.lam.list_layer_versions(LayerName="shared")["LayerVersions"]
        self.assertEqual([v["Version"] for v in versions], [2, 1])
        py = self.lam.list_layer_versions(LayerName="shared",
                                          CompatibleRuntime="python3.12")["LayerVersions"]
        self.assertEqual([v["Version"] for v in py], [1])
        layers = {l["LayerName"]: l for l in self.lam.list_layers()["Layers"]}
        self.assertEqual(layers["shared"]["LatestMatchingVersion"]["Version"], 2)
        self.lam.delete_layer_version(LayerName="shared", VersionNumber=2)
        self.assertError("ResourceNotFoundException", self.lam.get_layer_version,
                         LayerName="shared", VersionNumber=2)
        self.assertEqual([v["Version"] for v in self.lam.list_layer_versions(
            LayerName="shared")["LayerVersions"]], [1])
        self.assertError("InvalidParameterValueException", self.lam.publish_layer_version,
                         LayerName="broken", Content={"ZipFile": b"not a zip"})

    def test_functions_use_their_layers_in_order(self):
        base = self.publish("base", {"python/greeting.py": "WORD = 'base'\n",
                                     "python/only_base.py": "VALUE = 'from base'\n"})
        code = {"app.py": "import greeting, only_base, subprocess\n"
                          "def handler(event, context):\n"
                          "    out = subprocess.run(['tool'], capture_output=True, text=True)\n"
                          "    return [greeting.WORD, only_base.VALUE, out.stdout.strip()]\n"}
        # bin/tool needs its execute bit, as a zip tool records it.
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("bin/tool")
            info.external_attr = (0o100755) << 16
            z.writestr(info, "#!/bin/sh\necho tool-ran\n")
            z.writestr("python/greeting.py", "WORD = 'over'\n")
        over = self.lam.publish_layer_version(LayerName="over",
                                              Content={"ZipFile": buf.getvalue()})
        name = self.create(code, Layers=[base["LayerVersionArn"], over["LayerVersionArn"]])
        config = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual([l["Arn"] for l in config["Layers"]],
                         [base["LayerVersionArn"], over["LayerVersionArn"]])
        self.assertEqual(json.loads(self.invoke(name)["body"]),
                         ["over", "from base", "tool-ran"])
        # A deleted layer version keeps serving the functions that use it.
        self.lam.delete_layer_version(LayerName="base", VersionNumber=base["Version"])
        self.lam.update_function_configuration(FunctionName=name, Description="cold again")
        self.assertEqual(json.loads(self.invoke(name)["body"])[1], "from base")
        # ...but cannot be added to a function any more.
        other = self.create({"app.py": "def handler(e, c):\n    return 1\n"})
        self.assertError("InvalidParameterValueException", self.lam.update_function_configuration,
                         FunctionName=other, Layers=[base["LayerVersionArn"]])
        self.assertError("InvalidParameterValueException", self.lam.update_function_configuration,
                         FunctionName=name, Layers=[ARN + "nope:1"])

    def test_node_layer_packages(self):
        layer = self.publish("nodelib", {"nodejs/node_modules/shout/index.js":
                                         "module.exports = (s) => s.toUpperCase() + '!';\n"})
        name = self.create({"index.js": "const shout = require('shout');\n"
                                        "exports.handler = async (e) => shout(e.word);\n"},
                           handler="index.handler", runtime="nodejs20.x",
                           Layers=[layer["LayerVersionArn"]])
        self.assertEqual(json.loads(self.invoke(name, {"word": "hey"})["body"]), "HEY!")

    def test_layer_refusals(self):
        one = self.publish("dup", {"python/a.py": "A = 1\n"})
        two = self.publish("dup", {"python/a.py": "A = 2\n"})
        self.assertError("InvalidParameterValueException", self.lam.create_function,
                         FunctionName=self.name(), Runtime="python3.11", Role=ROLE,
                         Handler="app.handler", Code={"ZipFile": zip_of({"app.py": "x=1\n"})},
                         Layers=[one["LayerVersionArn"], two["LayerVersionArn"]])
        six = [self.publish(f"many{i}", {"python/m.py": "M = 1\n"})["LayerVersionArn"]
               for i in range(6)]
        self.assertError("InvalidParameterValueException", self.lam.create_function,
                         FunctionName=self.name(), Runtime="python3.11", Role=ROLE,
                         Handler="app.handler", Code={"ZipFile": zip_of({"app.py": "x=1\n"})},
                         Layers=six)


if __name__ == "__main__":
    unittest.main()
