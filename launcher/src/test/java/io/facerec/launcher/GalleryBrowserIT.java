package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.common.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The person gallery in a real browser (Debian's headless Chromium driven by Selenium through Debian's chromedriver;
 * nothing is downloaded) against the app on the embedded stack with dev photos, signed in as the zero-setup run signs
 * in (the printed address with its token, then the session cookie): rename, split, merge and "not this person" through
 * the page (each a request with the CSRF header), then a recluster, and the corrections still hold. Screenshots of the
 * main pages are saved under {@code target/screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GalleryBrowserIT {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final List<String> PEOPLE = List.of("Al_Gore", "Adrien_Brody", "Abdullah_Gul", "Ai_Sugiyama");

    EmbeddedPipeline pipeline;
    JdbcTemplate jdbc;
    WebDriver browser;
    WebDriverWait wait;
    String base;
    Path screenshots = Path.of("target", "screenshots");
    Map<String, Long> personOf = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of(CHROMIUM))
                .as("Debian's chromium package (apt-get install chromium)")
                .exists();
        assertThat(Path.of(CHROMEDRIVER)).as("Debian's chromium-driver package").exists();
        Path tmp = Files.createTempDirectory("facerec-gallery");
        Path media = tmp.resolve("media");
        SharedData.copyIdentityPhotos(media, PEOPLE, 4);
        pipeline = EmbeddedPipeline.start(
                tmp.resolve("data"),
                media,
                Map.of(
                        "facerec.thumbnails-dir",
                        tmp.resolve("thumbs").toString(),
                        "facerec.capture.drop-slot-on-stop",
                        "true"),
                s -> {},
                false,
                0);
        jdbc = pipeline.bean(JdbcTemplate.class);
        ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
        run.importImages(media);
        assertThat(run.awaitCompletion(Duration.ofMinutes(4), false)).isTrue();
        for (String person : PEOPLE) {
            personOf.put(
                    person,
                    jdbc.queryForObject(
                            "SELECT MIN(f.\"PersonId\") FROM \"Faces\" f JOIN \"MediaItems\" m "
                                    + "ON m.\"Id\" = f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" "
                                    + "WHERE mf.\"FilePath\" LIKE ?",
                            Long.class,
                            person + "/%"));
        }
        assertThat(personOf.values()).doesNotContainNull().doesNotHaveDuplicates();

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--window-size=1280,900",
                        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                        .build(),
                options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        base = pipeline.galleryUrl();
        Files.createDirectories(screenshots);
        signIn();
    }

    /** Opens the one address the command prints; the gallery drops the token from the address bar. */
    void signIn() {
        String signIn = pipeline.gallerySignInUrl();
        assertThat(signIn).startsWith("http://127.0.0.1:").contains("/?token=");
        browser.get(base);
        assertThat(browser.getPageSource()).contains("Open the address").doesNotContain("person-tile");
        browser.get(signIn);
        wait.until(d -> d.findElements(By.cssSelector(".person-tile")).size() == PEOPLE.size());
        assertThat(browser.getCurrentUrl()).isEqualTo(base).doesNotContain("token");
        assertThat(browser.manage().getCookieNamed("FACEREC_SESSION").isHttpOnly())
                .isTrue();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    void screenshot(String name) throws Exception {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    void openPerson(long id) {
        browser.get(base + "person.html?id=" + id);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#faces .face")));
        wait.until(d -> d.findElements(By.cssSelector("#move-target option")).size() > 1);
    }

    void awaitStatus(String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), text));
    }

    List<Long> facesOf(long person) {
        return jdbc.queryForList(
                "SELECT \"Id\" FROM \"Faces\" WHERE \"PersonId\" = ? ORDER BY \"Id\"", Long.class, person);
    }

    @Test
    @Order(1)
    void listsEveryPersonWithPortraitAndCount() throws Exception {
        browser.get(base);
        wait.until(d -> d.findElements(By.cssSelector(".person-tile")).size() == PEOPLE.size());
        List<WebElement> tiles = browser.findElements(By.cssSelector(".person-tile"));
        assertThat(tiles)
                .extracting(t -> Long.parseLong(t.getDomAttribute("data-id")))
                .containsExactlyInAnyOrderElementsOf(personOf.values());
        assertThat(tiles.get(0).getText()).contains("4 faces");
        wait.until(d -> (Boolean) ((JavascriptExecutor) d)
                .executeScript("return [...document.images].every(i => i.complete && i.naturalWidth > 0)"));
        screenshot("gallery-persons");
    }

    @Test
    @Order(2)
    void renameThroughThePage() throws Exception {
        openPerson(personOf.get("Al_Gore"));
        WebElement name = browser.findElement(By.id("person-name"));
        name.clear();
        name.sendKeys("Al Gore");
        browser.findElement(By.id("rename")).click();
        awaitStatus("Renamed");
        assertThat(browser.findElement(By.id("title")).getText()).startsWith("Al Gore");
        assertThat(jdbc.queryForObject(
                        "SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, personOf.get("Al_Gore")))
                .isEqualTo("Al Gore");
        screenshot("gallery-person");
    }

    @Test
    @Order(3)
    void splitThroughThePage() {
        long adrien = personOf.get("Adrien_Brody");
        openPerson(adrien);
        List<WebElement> boxes = browser.findElements(By.cssSelector("#faces input.select"));
        boxes.get(0).click();
        boxes.get(1).click();
        new Select(browser.findElement(By.id("move-target"))).selectByValue("new");
        browser.findElement(By.id("move")).click();
        awaitStatus("Moved 2 face(s)");
        assertThat(facesOf(adrien)).hasSize(2);
        Long split = jdbc.queryForObject("SELECT MAX(\"Id\") FROM \"Persons\"", Long.class);
        assertThat(facesOf(split)).hasSize(2);
        personOf.put("Adrien_Brody_split", split);
    }

    @Test
    @Order(4)
    void mergeThroughThePage() {
        long abdullah = personOf.get("Abdullah_Gul");
        // a wrong split to repair: one face moved away through the page, then merged back through the page
        openPerson(abdullah);
        browser.findElements(By.cssSelector("#faces input.select")).get(0).click();
        new Select(browser.findElement(By.id("move-target"))).selectByValue("new");
        browser.findElement(By.id("move")).click();
        awaitStatus("Moved 1 face(s)");
        Long stray = jdbc.queryForObject("SELECT MAX(\"Id\") FROM \"Persons\"", Long.class);
        assertThat(facesOf(abdullah)).hasSize(3);

        openPerson(abdullah);
        new Select(browser.findElement(By.id("merge-source"))).selectByValue(Long.toString(stray));
        browser.findElement(By.id("merge")).click();
        awaitStatus("Merged");
        assertThat(facesOf(abdullah)).hasSize(4);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\" WHERE \"Id\" = ?", Long.class, stray))
                .isZero();
    }

    @Test
    @Order(5)
    void notThisPersonThroughThePage() throws Exception {
        long ai = personOf.get("Ai_Sugiyama");
        openPerson(ai);
        WebElement face = browser.findElements(By.cssSelector("#faces .face")).get(0);
        long rejected = Long.parseLong(face.getDomAttribute("data-id"));
        face.findElement(By.cssSelector("button.reject")).click();
        awaitStatus("Face removed");
        assertThat(facesOf(ai)).hasSize(3).doesNotContain(rejected);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"FaceRejections\" WHERE \"FaceId\" = ? AND \"PersonId\" = ?",
                        Long.class,
                        rejected,
                        ai))
                .isEqualTo(1);
        personOf.put("rejected", rejected);

        browser.get(base + "photo.html?face=" + facesOf(ai).get(0));
        wait.until(d -> d.findElement(By.id("box")).getSize().getWidth() > 10);
        screenshot("gallery-photo");
    }

    @Test
    @Order(6)
    void correctionsHoldThroughClusteringAndRecluster() {
        String model = "fr_feature";
        pipeline.bean(ClusterFacesHandler.class).start(model);
        ReclusterHandler.Result r = pipeline.bean(ReclusterHandler.class).recluster(model, false);
        // named: 4 (Al Gore); split off: 2, and the 2 left behind are confirmed; Abdullah: 1 moved out and merged back,
        // and the 3 left behind by that move are confirmed
        assertThat(r.fixed()).isEqualTo(4 + 2 + 2 + 1 + 3);
        assertThat(facesOf(personOf.get("Adrien_Brody"))).hasSize(2);

        assertThat(jdbc.queryForObject(
                        "SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, personOf.get("Al_Gore")))
                .isEqualTo("Al Gore");
        assertThat(facesOf(personOf.get("Al_Gore"))).hasSize(4);
        assertThat(facesOf(personOf.get("Adrien_Brody_split"))).hasSize(2);
        assertThat(facesOf(personOf.get("Abdullah_Gul"))).hasSize(4);
        assertThat(facesOf(personOf.get("Ai_Sugiyama"))).doesNotContain(personOf.get("rejected"));

        browser.get(base);
        wait.until(d -> d.findElements(By.cssSelector(".person-tile")).size() >= PEOPLE.size());
        assertThat(browser.findElement(By.id("persons")).getText()).contains("Al Gore");
    }
}
