#include <gtest/gtest.h>

#include "gateway/xml_reader.hpp"
#include "gateway/xml_writer.hpp"

namespace sluice::gateway {
namespace {

TEST(XmlWriter, EscapesTextAndAttributes) {
  XmlWriter w;
  w.open("Root", {{"xmlns", "http://s3.amazonaws.com/doc/2006-03-01/"}, {"a", "x\"<&"}})
      .element("Key", "a<b>&\"c'")
      .element("Ctl", std::string("\x01\r\n\t", 4))
      .open("Empty")
      .close();
  EXPECT_EQ(w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Root xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\" a=\"x&quot;&lt;&amp;\">"
            "<Key>a&lt;b&gt;&amp;\"c'</Key><Ctl>&#1;&#13;\n\t</Ctl><Empty></Empty></Root>");
}

TEST(XmlReader, ParsesElementsDecodesEntitiesAndDropsPrefixes) {
  auto root = parseXml(
      "<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Object><Key>a &amp; b</Key></Object><Object><Key> spaced </Key></Object>"
      "<s3:Quiet xmlns:s3=\"x\">true</s3:Quiet></Delete>");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->name, "Delete");
  auto objects = root->childrenNamed("Object");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0]->child("Key")->text, "a & b");
  EXPECT_EQ(objects[1]->child("Key")->text, " spaced ");
  ASSERT_NE(root->child("Quiet"), nullptr);
  EXPECT_EQ(root->child("Quiet")->text, "true");
}

TEST(XmlReader, RejectsMalformedDocuments) {
  for (const char* bad : {"", "<a>", "<a></b>", "not xml", "<a/><b/>"}) {
    auto r = parseXml(bad);
    ASSERT_FALSE(r.ok()) << "accepted: " << bad;
    EXPECT_EQ(r.error().code, "MalformedXML");
  }
}

TEST(XmlRoundTrip, WriterOutputReadsBack) {
  XmlWriter w;
  w.open("T").element("K", "<&>\"' üñí").close();
  auto r = parseXml(w.finish());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->child("K")->text, "<&>\"' üñí");
}

}  // namespace
}  // namespace sluice::gateway
