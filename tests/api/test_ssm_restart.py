"""Parameter Store state survives kill -9 and a restart on the same data directory."""
import signal
import unittest

from sluice_server import SluiceServer


class SsmRestartTest(unittest.TestCase):
    def test_parameters_survive_kill_9(self):
        server = SluiceServer().start()
        try:
            ssm = server.client("ssm")
            ssm.put_parameter(Name="/keep/plain", Value="v1", Type="String",
                              Tags=[{"Key": "k", "Value": "v"}])
            ssm.put_parameter(Name="/keep/plain", Value="v2", Type="String", Overwrite=True)
            ssm.put_parameter(Name="/keep/secret", Value="s3cr3t", Type="SecureString")
            ssm.label_parameter_version(Name="/keep/plain", ParameterVersion=1, Labels=["old"])
            ssm.put_parameter(Name="/gone", Value="x", Type="String")
            ssm.delete_parameter(Name="/gone")
            server.stop(signal.SIGKILL)

            server.start()
            ssm = server.client("ssm")
            self.assertEqual(ssm.get_parameter(Name="/keep/plain")["Parameter"]["Value"], "v2")
            self.assertEqual(ssm.get_parameter(Name="/keep/plain:old")["Parameter"]["Value"], "v1")
            self.assertEqual(ssm.get_parameter(Name="/keep/secret", WithDecryption=True)
                             ["Parameter"]["Value"], "s3cr3t")
            self.assertEqual(ssm.list_tags_for_resource(ResourceType="Parameter",
                                                        ResourceId="/keep/plain")["TagList"],
                             [{"Key": "k", "Value": "v"}])
            self.assertEqual(ssm.get_parameters(Names=["/gone"])["InvalidParameters"], ["/gone"])
            r = ssm.put_parameter(Name="/keep/plain", Value="v3", Type="String", Overwrite=True)
            self.assertEqual(r["Version"], 3)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
