package dev.stackgan.trainer.service;

/** Placeholder replaced below. */
final class TrainerCli {
    private TrainerCli() {
    }

    static int run(String command, String[] args) {
        System.err.println("unknown command " + command);
        return 2;
    }
}
