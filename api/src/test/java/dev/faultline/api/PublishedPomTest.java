package dev.faultline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The api's pom as published (flattened in process-resources, before the tests): an outside project that depends on
 * the api alone resolves it without Faultline's parent pom or anything else of Faultline's.
 */
class PublishedPomTest {
    @Test
    void standsAloneWithEveryDependencyVersioned() throws Exception {
        Path pom = Path.of("target", ".flattened-pom.xml");
        assertThat(pom).exists();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(Files.newInputStream(pom));
        Element project = document.getDocumentElement();

        assertThat(project.getElementsByTagNameNS("*", "parent").getLength()).as("no parent pom").isZero();
        assertThat(project.getElementsByTagNameNS("*", "repositories").getLength())
                .as("no repository of the build's (the committed baseline)").isZero();
        assertThat(text(project, "groupId")).isEqualTo("dev.faultline");
        assertThat(text(project, "artifactId")).isEqualTo("dev.faultline.api");
        assertThat(text(project, "version")).isNotBlank().doesNotContain("${");
        NodeList dependencies = project.getElementsByTagNameNS("*", "dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertThat(text(dependency, "version")).as(text(dependency, "artifactId") + "'s version").isNotBlank()
                    .doesNotContain("${");
            assertThat(text(dependency, "groupId")).as("nothing else of Faultline's").isNotEqualTo("dev.faultline");
        }
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getElementsByTagNameNS("*", child);
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getParentNode() == parent) {
                return nodes.item(i).getTextContent().trim();
            }
        }
        return "";
    }
}
