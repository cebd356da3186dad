package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackgan.datasets.TestData;
import dev.stackgan.fixtures.HeadlessChromium;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The trainer's dashboard in headless chromium ({@link HeadlessChromium}) over a real trainer and throwaway database
 * with real tiny runs: a text encoder and two Stage-I variants (Adam, RMSprop) trained to the end, and a long text
 * encoder watched live and cancelled from its page. Charts are counted through their data-points and data-series
 * attributes (what the page handed uPlot). Writes the screenshots docs/dashboard.md and README.md show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "dashboard-management-token-0123456789";

    @TempDir
    static Path work;
    TestDatabase database;
    TrainerHarness trainer;
    ChromeDriver browser;
    WebDriverWait wait;
    Run adam;
    Run rmsprop;

    @BeforeAll
    void trainRuns() throws Exception {
        assumeTrue(HeadlessChromium.installed(), HeadlessChromium.MISSING);
        TestData.birds(work.resolve("data/birds"), 48, 5);
        database = new TestDatabase();
        // with a management token: the reads stay open, the buttons ask for it
        trainer = new TrainerHarness(database.url(), work, Map.of("stackgan.access.management-token", TOKEN), TOKEN);
        Run encoder = trainer.trainToEnd(spec("text-encoder", "encoder", 1, ""));
        List<Checkpoint> encoderCheckpoints = trainer.client.checkpoints(encoder.getId());
        String parent = ",\"textEncoderCheckpoint\":\""
                + encoderCheckpoints.get(encoderCheckpoints.size() - 1).getId() + "\"";
        // a collapse threshold tiny runs stay below: an event to mark on the curves at each evaluated checkpoint
        adam = trainer.trainToEnd(spec("stage1", "adam", 2, ",\"evaluationSamples\":8,\"collapseThreshold\":0.99" + parent));
        rmsprop = trainer.trainToEnd(spec("stage1", "rmsprop", 2, ",\"evaluationSamples\":8,\"collapseThreshold\":0.99" + parent
                + ",\"overrides\":{\"optimizer\":\"rmsprop\"}"));
        assertTrue(trainer.bean(Journal.class).flush(Duration.ofSeconds(10)));
        browser = HeadlessChromium.start(1280, 1000);
        // a bound for waiting, not a timing assertion: pages wait for training on a busy machine
        wait = new WebDriverWait(browser, Duration.ofSeconds(180));
    }

    private static String spec(String kind, String name, int epochs, String extra) {
        return "{\"kind\":\"" + kind + "\",\"name\":\"" + name + "\",\"preset\":\"tiny\",\"dataset\":\"birds\","
                + "\"split\":\"cub-image\",\"epochs\":" + epochs + ",\"seed\":42,\"snapshotEveryEpochs\":1,"
                + "\"snapshotEveryMinutes\":0" + extra + "}";
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (trainer != null) {
            trainer.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void runsListShowsEveryRunFiltersByStatusAndOpensTheComparison() throws IOException {
        open("/dashboard/", 1280, 700);
        int all = trainer.stub().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount();
        waitForAttribute(By.cssSelector("#runs tbody"), "data-loaded", Integer.toString(all));
        WebElement adamRow = browser.findElement(By.id("run-" + adam.getId()));
        assertTrue(adamRow.getText().contains("adam"), adamRow.getText());
        assertTrue(adamRow.getText().contains("succeeded"), adamRow.getText());
        assertTrue(adamRow.getText().contains("100.0%"), adamRow.getText());
        wait.until(ExpectedConditions.textToBePresentInElement(adamRow.findElement(By.className("best")),
                "R-prec"));
        HeadlessChromium.screenshot(browser, "dashboard-runs.png");

        status("running").click();
        waitForAttribute(By.cssSelector("#runs tbody"), "data-loaded", "0");
        assertTrue(browser.getCurrentUrl().endsWith("?status=running"), browser.getCurrentUrl());
        open("/dashboard/?status=succeeded", 1280, 700); // the address keeps the filter
        waitForAttribute(By.cssSelector("#runs tbody"), "data-loaded", "3");
        assertTrue(status("succeeded").isSelected());

        browser.findElement(By.cssSelector("#run-" + adam.getId() + " input")).click();
        browser.findElement(By.cssSelector("#run-" + rmsprop.getId() + " input")).click();
        browser.findElement(By.id("compare")).click();
        wait.until(ExpectedConditions.urlContains("compare.html?runs=" + adam.getId() + "," + rmsprop.getId()));
    }

    private WebElement status(String word) {
        return browser.findElement(By.cssSelector("#filters input[value='" + word + "']"));
    }

    @Test
    void runPageShowsOnePointPerStepEvaluationsEventsAndSampleSheets() throws Exception {
        open("/dashboard/run.html?id=" + adam.getId(), 1280, 2300);
        long steps = adam.getTotalSteps();
        waitForAttribute(By.id("chart-losses"), "data-points", Long.toString(steps));
        JsonNode losses = series("chart-losses");
        for (String loss : List.of("D", "D smoothed", "G", "G smoothed", "KL", "KL smoothed")) {
            assertEquals(steps, losses.get(loss).asLong(), loss);
        }
        assertEquals(steps, series("chart-rate").get("images/s").asLong());
        assertEquals(steps, database.column("SELECT step FROM metrics WHERE run_id = ?", adam.getId()).size());

        List<Checkpoint> checkpoints = trainer.client.checkpoints(adam.getId());
        assertEquals(3, checkpoints.size(), "step 0 and one per epoch");
        int evaluated = 2;
        assertEquals(evaluated, series("chart-rprecision").get("R-precision").asInt());
        assertEquals(evaluated, series("chart-diversity").get("collapse threshold").asInt());
        assertEquals(evaluated, series("chart-frechet").get("Frechet distance").asInt());
        JsonNode fidelity = series("chart-fidelity");
        for (String attribute : List.of("crown", "wing", "belly", "size", "wing_pattern")) {
            assertEquals(evaluated, fidelity.get(attribute).asInt(), attribute);
            assertEquals(evaluated, fidelity.get(attribute + " real").asInt(), attribute);
        }
        assertEquals(checkpoints.size(), browser.findElements(By.cssSelector("#checkpoints tbody tr")).size());
        int events = database.column("SELECT id FROM events WHERE run_id = ?", adam.getId()).size();
        assertEquals(2, events, "a collapse event at each evaluated checkpoint");
        assertEquals(events, browser.findElements(By.cssSelector("#events li")).size());
        List<WebElement> sheets = wait.until(driver -> {
            List<WebElement> images = driver.findElements(By.cssSelector("#samples img"));
            return images.size() == evaluated && images.stream().allMatch(i -> naturalWidth(i) > 0) ? images : null;
        });
        assertEquals(4 * 16, naturalWidth(sheets.get(0)), "4 x 4 images of the tiny preset's 16 px");
        assertTrue(browser.findElement(By.id("spec")).getText().contains("\"name\": \"adam\""));
        HeadlessChromium.screenshot(browser, "dashboard-run.png");

        browser.findElement(By.id("log")).click();
        waitForAttribute(By.id("chart-losses"), "data-points", Long.toString(steps));
        assertEquals(steps, series("chart-losses").get("G").asLong(), "the log scale keeps every step");
    }

    @Test
    void comparePageOverlaysTwoRunsOnSharedAxes() throws Exception {
        open("/dashboard/compare.html?runs=" + adam.getId() + "," + rmsprop.getId(), 1280, 1400);
        String a = adam.getId() + " adam";
        String b = rmsprop.getId() + " rmsprop";
        wait.until(driver -> driver.findElement(By.id("chart-generatorLoss")).getAttribute("data-series") != null);
        for (String chart : List.of("chart-discriminatorLoss", "chart-generatorLoss", "chart-kl",
                "chart-imagesPerSecond")) {
            JsonNode counts = series(chart);
            assertEquals(adam.getTotalSteps(), counts.get(a).asLong(), chart);
            assertEquals(rmsprop.getTotalSteps(), counts.get(b).asLong(), chart);
            assertEquals(Long.toString(Math.max(adam.getTotalSteps(), rmsprop.getTotalSteps())),
                    browser.findElement(By.id(chart)).getAttribute("data-points"), chart + ": one shared x axis");
        }
        for (String chart : List.of("chart-fidelity", "chart-r_precision", "chart-diversity",
                "chart-frechet_distance")) {
            assertEquals(2, series(chart).get(a).asInt(), chart);
            assertEquals(2, series(chart).get(b).asInt(), chart);
        }
        List<WebElement> rows = browser.findElements(By.cssSelector("#runs tbody tr"));
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).getText().contains("name: \"adam\""), rows.get(0).getText());
        assertTrue(rows.get(1).getText().contains("overrides.optimizer: \"OPTIMIZER_RMSPROP\""),
                rows.get(1).getText());
        HeadlessChromium.screenshot(browser, "dashboard-compare.png");
    }

    @Test
    void livePageGainsPointsWhileTheRunTrainsAndItsCancelButtonStopsIt() throws Exception {
        // long enough never to end by itself; one checkpoint at step 0 until the cancel writes one
        Run live = trainer.client.create(spec("text-encoder", "live", 5000, "").replace(
                "\"snapshotEveryEpochs\":1", "\"snapshotEveryEpochs\":5000"));
        trainer.client.awaitStatus(live.getId(), RunStatus.RUN_STATUS_RUNNING, Duration.ofSeconds(120));
        open("/dashboard/run.html?id=" + live.getId(), 1280, 1000);
        long first = wait.until(driver -> {
            long shown = points(driver.findElement(By.id("chart-losses")));
            return shown > 0 ? shown : null;
        });
        wait.until(driver -> points(driver.findElement(By.id("chart-losses"))) >= first + 5);
        assertTrue(browser.findElement(By.id("live")).getText().startsWith("live: step "));
        assertEquals("running", browser.findElement(By.id("status")).getText());
        HeadlessChromium.screenshot(browser, "dashboard-live.png");

        browser.findElement(By.id("cancel")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("access")));
        assertTrue(browser.findElement(By.id("access-note")).getText().contains("needs its management token"));
        assertTrue(browser.findElement(By.id("error")).getText().startsWith("UNAUTHENTICATED (401)"));
        useToken(TOKEN + "0");
        wait.until(ExpectedConditions.textToBe(By.id("access-note"), "the trainer refused this token"));
        assertEquals(RunStatus.RUN_STATUS_RUNNING, trainer.client.get(live.getId()).getStatus(), "refused: running");
        // the right token sends the refused cancel again
        useToken(TOKEN);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "cancelled"));
        assertFalse(browser.findElement(By.id("access")).isDisplayed());
        Run cancelled = trainer.client.get(live.getId());
        assertEquals(RunStatus.RUN_STATUS_CANCELLED, cancelled.getStatus());
        // after the stream's end the page reads the final record: every step once
        waitForAttribute(By.id("chart-losses"), "data-points", Long.toString(cancelled.getStep()));
        assertEquals(cancelled.getStep(), database.column("SELECT step FROM metrics WHERE run_id = ?",
                live.getId()).size());
        assertEquals(1, series("chart-losses").size() / 2, "a text encoder records one loss: matching");
        assertTrue(browser.findElement(By.id("events")).getText().contains("cancelled at step "
                + cancelled.getStep()));
        assertTrue(browser.findElement(By.id("resume")).isEnabled(), "a cancelled run can be resumed");
    }

    private void useToken(String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("use-token")).click();
    }

    private void open(String path, int width, int height) {
        browser.manage().window().setSize(new Dimension(width, height));
        browser.get(trainer.http().resolve(path).toString());
    }

    private void waitForAttribute(By element, String attribute, String value) {
        wait.until(ExpectedConditions.attributeToBe(element, attribute, value));
    }

    private JsonNode series(String chart) throws IOException {
        return JSON.readTree(browser.findElement(By.id(chart)).getAttribute("data-series"));
    }

    private static long points(WebElement chart) {
        String points = chart.getAttribute("data-points");
        return points == null ? 0 : Long.parseLong(points);
    }

    private long naturalWidth(WebElement img) {
        return (Long) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", img);
    }
}
