package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReportLedgerTest {
    @Test
    void aRecordIsReportedOnceAcrossReplays() {
        ReportLedger ledger = new ReportLedger();
        assertTrue(ledger.claim("fmnist.train/0/7"));
        assertFalse(ledger.claim("fmnist.train/0/7"), "the next epoch replays it: not sent again");
        assertTrue(ledger.claim("fmnist.train/0/8"));
    }

    @Test
    void aFailedSendIsTriedAgain() {
        ReportLedger ledger = new ReportLedger();
        assertTrue(ledger.claim("fmnist.train/0/7"));
        ledger.release("fmnist.train/0/7");
        assertTrue(ledger.claim("fmnist.train/0/7"));
    }

    @Test
    void whatAnEarlierProcessSentIsNotSentAgain() {
        ReportLedger ledger = new ReportLedger();
        ledger.remember("fmnist.train/0/7");
        assertFalse(ledger.claim("fmnist.train/0/7"));
    }
}
