package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The gallery in server mode (configured users, as {@code GalleryApplication} and compose run it) in a real browser:
 * the sign-in page, an editor's rename through the person page, a viewer's rename refused, and signing out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GalleryServerModeBrowserIT {
    static final List<String> PEOPLE = List.of("Al_Gore", "Adrien_Brody");

    EmbeddedPipeline pipeline;
    JdbcTemplate jdbc;
    WebDriver browser;
    WebDriverWait wait;
    String base;
    long alGore;

    @BeforeAll
    void start() throws Exception {
        Path tmp = Files.createTempDirectory("facerec-gallery-accounts");
        Path media = tmp.resolve("media");
        SharedData.copyIdentityPhotos(media, PEOPLE, 3);
        Map<String, Object> props = new HashMap<>(Map.of(
                "facerec.thumbnails-dir",
                tmp.resolve("thumbs").toString(),
                "facerec.capture.drop-slot-on-stop",
                "true",
                "facerec.gallery.security.mode",
                "ACCOUNTS"));
        String[][] users = {{"edith", "editor-password-1", "EDITOR"}, {"victor", "viewer-password-1", "VIEWER"}};
        for (int i = 0; i < users.length; i++) {
            props.put("facerec.gallery.security.users[" + i + "].name", users[i][0]);
            props.put(
                    "facerec.gallery.security.users[" + i + "].password",
                    "{bcrypt}" + new BCryptPasswordEncoder(4).encode(users[i][1]));
            props.put("facerec.gallery.security.users[" + i + "].roles", users[i][2]);
        }
        pipeline = EmbeddedPipeline.start(tmp.resolve("data"), media, props, s -> {}, false, 0);
        jdbc = pipeline.bean(JdbcTemplate.class);
        ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
        run.importImages(media);
        assertThat(run.awaitCompletion(Duration.ofMinutes(4), false)).isTrue();
        alGore = jdbc.queryForObject(
                "SELECT MIN(f.\"PersonId\") FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = "
                        + "f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" LIKE 'Al_Gore/%'",
                Long.class);
        assertThat(pipeline.gallerySignInUrl()).isEqualTo(pipeline.galleryUrl()).doesNotContain("token");

        System.setProperty("webdriver.chrome.driver", GalleryBrowserIT.CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions()
                .setBinary(GalleryBrowserIT.CHROMIUM)
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
                        .usingDriverExecutable(
                                Path.of(GalleryBrowserIT.CHROMEDRIVER).toFile())
                        .build(),
                options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        base = pipeline.galleryUrl();
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

    void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(base + "person.html?id=" + alGore);
        wait.until(ExpectedConditions.urlContains("/login"));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#faces .face")));
        // back on the page asked for (Spring Security marks the replayed request with "&continue")
        assertThat(browser.getCurrentUrl()).startsWith(base + "person.html?id=" + alGore);
    }

    void rename(String name) {
        WebElement field = browser.findElement(By.id("person-name"));
        field.clear();
        field.sendKeys(name);
        browser.findElement(By.id("rename")).click();
    }

    String nameInDatabase() {
        return jdbc.queryForObject("SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, alGore);
    }

    @Test
    void anEditorSignsInAndRenamesAViewerCannotAndSigningOutEndsTheSession() {
        browser.get(base);
        wait.until(ExpectedConditions.urlContains("/login"));
        assertThat(browser.getPageSource()).doesNotContain("person-tile");

        signIn("edith", "editor-password-1");
        rename("Al Gore");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Renamed"));
        assertThat(nameInDatabase()).isEqualTo("Al Gore");

        signIn("victor", "viewer-password-1");
        assertThat(browser.findElements(By.cssSelector("#faces .face"))).isNotEmpty();
        rename("Someone Else");
        wait.until(ExpectedConditions.attributeToBe(By.id("status"), "class", "error"));
        assertThat(nameInDatabase()).isEqualTo("Al Gore");

        browser.get(base + "logout");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/login"));
        browser.get(base + "index.html");
        wait.until(ExpectedConditions.urlContains("/login"));
    }
}
