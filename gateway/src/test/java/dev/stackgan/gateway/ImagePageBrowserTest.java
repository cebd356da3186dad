package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackgan.fixtures.HeadlessChromium;
import dev.stackgan.serving.testing.TinyBundles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page at / in Debian's headless chromium ({@link HeadlessChromium}) over
 * the real stack on the tiny bundles (Stage-I 16 px, Stage-II 32 px), whose gateway wants an API token: the page
 * asks for it once per tab. Writes the screenshots that docs/serving.md and README.md show into docs/images/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagePageBrowserTest {

    private static final String PROMPT = "a small bird with a red crown and white belly";
    private static final String API_TOKEN = "page-api-token-0123456789abcdef";

    @TempDir
    static Path repository;
    private ServingStack stack;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws IOException {
        assumeTrue(HeadlessChromium.installed(), HeadlessChromium.MISSING);
        ServingStack.promotedV1(repository);
        stack = new ServingStack(repository, Map.of("stackgan.access.api-token", API_TOKEN));
        browser = HeadlessChromium.start(1000, 900);
        // a bound for waiting, not a timing assertion: the slowest step is a generation on a busy machine
        wait = new WebDriverWait(browser, Duration.ofSeconds(120));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void previewIsShownFirstThenReplacedByTheFinalImageWithSeedDownloadAndHistory() throws IOException {
        open();
        type(PROMPT + " zzzshiny");
        browser.findElement(By.id("n")).clear();
        browser.findElement(By.id("n")).sendKeys("2");
        browser.findElement(By.id("seed")).sendKeys("7");
        browser.findElement(By.id("go")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results img.final"), 2));

        List<WebElement> figures = browser.findElements(By.cssSelector("#results figure"));
        assertEquals(2, figures.size());
        for (int i = 0; i < 2; i++) {
            WebElement figure = figures.get(i);
            // the figure displayed the Stage-I preview, then the Stage-II image in its place
            assertEquals("1,2", figure.getAttribute("data-shown"));
            assertEquals(32L, naturalWidth(figure.findElement(By.tagName("img"))));
            assertEquals("seed " + (7 + i), figure.findElement(By.cssSelector("button.seed")).getText());
            WebElement download = figure.findElement(By.cssSelector("a.download"));
            assertEquals("stackgan-" + TinyBundles.V1 + "-seed" + (7 + i) + ".png", download.getAttribute("download"));
            assertTrue(download.getAttribute("href").startsWith("data:image/png;base64,"));
        }
        assertTrue(browser.findElement(By.id("status")).getText().contains("model " + TinyBundles.V1));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#history img"), 2));
        screenshot("image-page.png");

        // a seed reproduces its image: the same PNG as the second image of the first request
        String second = figures.get(1).findElement(By.tagName("img")).getAttribute("src");
        figures.get(1).findElement(By.cssSelector("button.seed")).click();
        wait.until(driver -> driver.findElements(By.cssSelector("#results figure")).size() == 1
                && driver.findElements(By.cssSelector("#results img.final")).size() == 1);
        assertEquals(second, browser.findElement(By.cssSelector("#results img.final")).getAttribute("src"));
        assertEquals("8", browser.findElement(By.id("seed")).getAttribute("value"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#history img"), 3));
    }

    @Test
    void unknownAndTruncatedWordsAreHighlightedAsTyped() {
        open();
        type("a bird with zzzshiny wings");
        List<WebElement> unknown = wait.until(
                ExpectedConditions.presenceOfAllElementsLocatedBy(By.cssSelector("#highlights mark.unknown")));
        assertEquals(List.of("zzzshiny"), unknown.stream().map(this::text).toList());
        assertTrue(browser.findElement(By.id("words")).getText().contains("unknown words: zzzshiny"));

        // 20 known words: the encoder reads 18, the last 2 are marked as ignored
        String known = TinyBundles.knownWord(0);
        type(String.join(" ", Collections.nCopies(20, known)));
        assertEquals(2, browser.findElements(By.cssSelector("#highlights mark.truncated")).size());
        assertEquals(0, browser.findElements(By.cssSelector("#highlights mark.unknown")).size());
        assertTrue(browser.findElement(By.id("words")).getText().contains("2 word(s) past the 18"));
    }

    @Test
    void examplePromptsUseOnlyKnownWords() {
        open();
        List<WebElement> examples = browser.findElements(By.cssSelector("#examples button.example"));
        assertTrue(!examples.isEmpty(), "the tiny vocabulary has colours and parts, so examples exist");
        for (WebElement example : examples) {
            example.click();
            assertEquals(example.getText(), browser.findElement(By.id("prompt")).getAttribute("value"));
            assertEquals(0, browser.findElements(By.cssSelector("#highlights mark")).size(), example.getText());
        }
    }

    @Test
    void tooLongPromptShowsTheApisErrorNamingTheFieldAndTheLimit() throws IOException {
        open();
        type("a".repeat(1001));
        new Select(browser.findElement(By.id("stage"))).selectByValue("1");
        browser.findElement(By.id("go")).click();
        WebElement error = wait.until(driver -> {
            WebElement shown = driver.findElement(By.id("error"));
            return shown.getText().isEmpty() ? null : shown;
        });
        assertEquals("INVALID_ARGUMENT (400), field prompt: prompt has 1001 characters, at most 1000 are allowed",
                error.getText());
        assertEquals(0, browser.findElements(By.cssSelector("#results figure")).size());
        screenshot("image-page-error.png");
    }

    @Test
    void withoutTheApiTokenThePageAsksForItRefusesAWrongOneAndWorksWithTheRightOne() {
        browser.get(stack.http().resolve("/").toString());
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        wait.until(driver -> errorShown().startsWith("UNAUTHENTICATED (401)"));
        WebElement access = browser.findElement(By.id("access"));
        assertTrue(access.isDisplayed(), "the page asks for the token");
        assertEquals("this gateway needs its API token", access.findElement(By.id("access-note")).getText());
        assertEquals("model: ...", browser.findElement(By.id("model")).getText());

        enterToken("wrong-api-token-0123456789abcdef");
        wait.until(driver -> errorShown().startsWith("PERMISSION_DENIED (403)"));
        assertEquals("the gateway refused this token", access.findElement(By.id("access-note")).getText());

        enterToken(API_TOKEN);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model"), TinyBundles.V1));
        assertTrue(!access.isDisplayed(), "the token field goes away once the token works");
        assertEquals("", browser.findElement(By.id("error")).getText());
        assertEquals(API_TOKEN, ((JavascriptExecutor) browser).executeScript(
                "return sessionStorage.getItem('stackgan.api-token')"), "kept for the tab only");
    }

    /** Loads the page, gives it the API token if this tab has not yet, and waits until it has the vocabulary. */
    private void open() {
        browser.get(stack.http().resolve("/").toString());
        wait.until(driver -> browser.findElement(By.id("access")).isDisplayed()
                || browser.findElement(By.id("model")).getText().contains(TinyBundles.V1));
        if (browser.findElement(By.id("access")).isDisplayed()) {
            enterToken(API_TOKEN);
        }
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model"), TinyBundles.V1));
    }

    private void enterToken(String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("use-token")).click();
    }

    private String errorShown() {
        return browser.findElement(By.id("error")).getText();
    }

    private void type(String prompt) {
        WebElement input = browser.findElement(By.id("prompt"));
        input.clear();
        input.sendKeys(prompt);
    }

    /** Text of a highlight mark: transparent on screen (the textarea above shows it), so getText() is empty. */
    private String text(WebElement element) {
        return element.getAttribute("textContent");
    }

    private long naturalWidth(WebElement img) {
        return (Long) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", img);
    }

    private void screenshot(String name) throws IOException {
        HeadlessChromium.screenshot(browser, name);
    }
}
